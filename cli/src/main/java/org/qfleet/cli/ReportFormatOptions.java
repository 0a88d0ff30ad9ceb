package org.qfleet.cli;

import java.nio.file.Path;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** The options that choose how results print, shared by a fleet run and {@code qfleet jobs}. */
final class ReportFormatOptions {

    /** The report formats {@code --out} selects. */
    enum Format {
        HIGHSTATE, JSON, YAML, JUNIT;

        static Format parse(String text) {
            for (Format format : values()) {
                if (format.name().equalsIgnoreCase(text)) {
                    return format;
                }
            }
            throw new IllegalArgumentException("invalid output format '" + text
                    + "'; expected highstate, json, yaml or junit");
        }
    }

    @Option(names = {"--out", "--output"}, paramLabel = "FORMAT", converter = FormatConverter.class,
            description = "Report format: highstate (default; each host as it finishes, then a fleet summary), "
                    + "json or yaml (one document keyed by host ID, after the last host), "
                    + "or junit (JUnit XML for CI).")
    Format format = Format.HIGHSTATE;

    @Option(names = "--out-file", paramLabel = "FILE",
            description = "Write the report to FILE instead of standard output, without colour codes.")
    Path outFile;

    @Option(names = "--out-indent", paramLabel = "N", description = "Spaces per level of JSON output (default 4).")
    int outIndent = 4;

    @Option(names = "--state-output", paramLabel = "MODE", converter = ModeConverter.class,
            description = "Highstate layout: full (default), terse, mixed, changes, "
                    + "or full_id, terse_id, mixed_id, changes_id to show state IDs instead of names.")
    HighstateOutputter.Mode stateOutput = HighstateOutputter.Mode.FULL;

    @Option(names = "--state-verbose", paramLabel = "BOOL", arity = "1", converter = BooleanConverter.class,
            description = "With False, leave out states that succeeded without changes (default True).")
    boolean stateVerbose = true;

    /** Checks the values that picocli's converters cannot, such as ranges. */
    void validate() throws UsageException {
        if (outIndent < 0 || outIndent > 16) {
            throw new UsageException("--out-indent must be between 0 and 16, got: " + outIndent);
        }
        if (outFile != null && outFile.getParent() != null && !outFile.getParent().toFile().isDirectory()) {
            throw new UsageException("--out-file " + outFile + ": the folder " + outFile.getParent()
                    + " does not exist; create it first");
        }
    }

    static final class FormatConverter implements ITypeConverter<Format> {
        @Override
        public Format convert(String value) {
            try {
                return Format.parse(value);
            } catch (IllegalArgumentException ex) {
                throw new TypeConversionException(ex.getMessage());
            }
        }
    }

    static final class ModeConverter implements ITypeConverter<HighstateOutputter.Mode> {
        @Override
        public HighstateOutputter.Mode convert(String value) {
            try {
                return HighstateOutputter.Mode.parse(value);
            } catch (IllegalArgumentException ex) {
                throw new TypeConversionException(ex.getMessage());
            }
        }
    }

    /** Reads Python's and Java's spellings of booleans, as Salt's option takes {@code False}. */
    static final class BooleanConverter implements ITypeConverter<Boolean> {
        @Override
        public Boolean convert(String value) {
            return switch (value.toLowerCase(java.util.Locale.ROOT)) {
                case "true", "1", "yes" -> true;
                case "false", "0", "no" -> false;
                default -> throw new TypeConversionException("invalid boolean '" + value + "'; expected True or False");
            };
        }
    }
}
