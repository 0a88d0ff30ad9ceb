package org.qfleet.cli;

import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.qfleet.roster.HttpRoster;
import org.qfleet.roster.Nodegroups;
import org.qfleet.roster.Roster;
import org.qfleet.roster.RosterEntry;
import org.qfleet.roster.RosterException;
import org.qfleet.roster.Shard;
import org.qfleet.roster.TargetType;
import org.qfleet.roster.Targets;
import org.qfleet.states.render.TargetMatcher;
import picocli.CommandLine.Option;

/**
 * The options that choose the roster and the targeted hosts: the target type flags of
 * salt-ssh ({@code -E}, {@code -L}, {@code -G}, {@code -N}) plus {@code -C}, {@code -H},
 * {@code --shard}, {@code --roster-url} and {@code --show-config}.
 */
final class TargetOptions {

    @Option(names = {"-E", "--pcre"},
            description = "TARGET is a regular expression over host IDs, matched from the start as Python's re.match.")
    boolean pcre;

    @Option(names = {"-L", "--list"},
            description = "TARGET is a list of host IDs separated by commas or spaces, in one argument: "
                    + "-L 'lab-01,lab-02'.")
    boolean list;

    @Option(names = {"-G", "--grain"},
            description = "TARGET is key:glob over the roster's grains, such as role:lab; nested keys joined by ':'.")
    boolean grain;

    @Option(names = {"-N", "--nodegroup"}, description = "TARGET is the name of a group under nodegroups in qfleet.yaml.")
    boolean nodegroup;

    @Option(names = {"-C", "--compound"},
            description = "TARGET combines globs and G@, P@, E@, L@ and N@ words with and, or, not and ( ).")
    boolean compound;

    @Option(names = {"-H", "--hosts"},
            description = "List the targeted hosts and their connection settings, without secrets, and exit. "
                    + "TARGET defaults to '*'.")
    boolean listHosts;

    @Option(names = "--shard", paramLabel = "I/N",
            description = "Run only on part I of N of the targeted hosts, split by a hash of the host ID, so that "
                    + "N jobs given 1/N to N/N cover the fleet once.")
    String shard;

    @Option(names = "--roster-url", paramLabel = "URL",
            description = "Fetch the roster as JSON or YAML from this https:// or http:// address. "
                    + "Overrides roster_url and roster_file.")
    URI rosterUrl;

    @Option(names = "--show-config",
            description = "Print the effective settings, without secrets, and exit without contacting any host.")
    boolean showConfig;

    /** Returns the target type that the flags choose; glob when none is given. */
    TargetType type() throws UsageException {
        List<String> given = new ArrayList<>();
        TargetType type = TargetType.GLOB;
        if (pcre) {
            given.add("-E");
            type = TargetType.PCRE;
        }
        if (list) {
            given.add("-L");
            type = TargetType.LIST;
        }
        if (grain) {
            given.add("-G");
            type = TargetType.GRAIN;
        }
        if (nodegroup) {
            given.add("-N");
            type = TargetType.NODEGROUP;
        }
        if (compound) {
            given.add("-C");
            type = TargetType.COMPOUND;
        }
        if (given.size() > 1) {
            throw new UsageException("the target type options " + String.join(", ", given)
                    + " cannot be combined; use -C to combine target types in one expression");
        }
        return type;
    }

    /** Applies {@code --roster-url}; {@code rosterFileFlag} is the {@code --roster-file} value, or null. */
    QfleetConfig apply(QfleetConfig config, Path rosterFileFlag) throws UsageException {
        if (rosterUrl == null) {
            return config;
        }
        if (rosterFileFlag != null) {
            throw new UsageException("--roster-file and --roster-url cannot be combined; give only the one the"
                    + " roster comes from");
        }
        String scheme = rosterUrl.getScheme() == null ? "" : rosterUrl.getScheme();
        if (rosterUrl.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
            throw new UsageException("--roster-url must be an https:// or http:// address, got: " + rosterUrl);
        }
        if (rosterUrl.getUserInfo() != null) {
            throw new UsageException("--roster-url must not contain a user name or password; name the token's"
                    + " environment variable in roster_token_env instead");
        }
        return config.withRosterUrl(rosterUrl);
    }

    /** Loads the roster from the URL or file that the settings name, printing notices and warnings to {@code err}. */
    static Roster loadRoster(QfleetConfig config, PrintStream err) throws UsageException {
        Roster roster;
        try {
            if (config.rosterUrl() != null) {
                roster = new HttpRoster(config.rosterUrl(), System::getenv)
                        .load(config.rosterDefaults(), warning -> err.println("qfleet: warning: " + warning));
            } else {
                roster = Roster.load(config.rosterFile(), config.rosterDefaults());
            }
        } catch (RosterException ex) {
            boolean defaultRoster = config.source().isEmpty() && config.rosterUrl() == null
                    && config.rosterFile().equals(QfleetConfig.defaults().rosterFile());
            String hint = defaultRoster
                    ? "\nNo configuration file was found ($QFLEET_CONFIG, ./qfleet.yaml, ~/.config/qfleet/qfleet.yaml),"
                            + " so qfleet looked for ./roster; pass -c FILE or --roster-file FILE."
                    : "";
            throw new UsageException(ex.getMessage() + hint, ex);
        }
        for (String notice : roster.notices()) {
            err.println("qfleet: note: " + notice);
        }
        return roster;
    }

    /**
     * Returns the hosts that the target selects, in roster order, limited to the shard when
     * {@code --shard} is given.
     *
     * @throws UsageException when the options conflict, the roster is invalid or unavailable,
     *                        or the target is invalid or matches nothing
     */
    List<RosterEntry> select(QfleetConfig config, String target, PrintStream err) throws UsageException {
        return select(config, target, null, err);
    }

    /** Selects the targets; grain targets also match grains that earlier runs cached in {@code jobsDir}. */
    List<RosterEntry> select(QfleetConfig config, String target, Path jobsDir, PrintStream err)
            throws UsageException {
        TargetType type = type();
        Shard part = shard();
        return select(loadRoster(config, err), type, part, config, target, JobCache.defaultDir(jobsDir), err);
    }

    /**
     * Prints the hosts that the target selects, {@code '*'} when {@code target} is null, with
     * their connection settings and without secrets, and returns the exit code.
     */
    int listHosts(QfleetConfig config, String target, Path jobsDir, PrintStream out, PrintStream err)
            throws UsageException {
        TargetType type = type();
        Shard part = shard();
        Roster roster = loadRoster(config, err);
        List<RosterEntry> hosts = select(roster, type, part, config, target == null ? "*" : target,
                JobCache.defaultDir(jobsDir), err);
        HostListing.print(roster.source(), hosts, out);
        return ExitCodes.OK;
    }

    /**
     * Returns the error for words after TARGET with -H, which lists hosts and takes no
     * FUNCTION, so that a host list split over several arguments is not cut short silently.
     */
    static UsageException extraWordsOfListHosts(String target, List<String> extraWords) {
        List<String> quoted = extraWords.stream().map(word -> "'" + word + "'").toList();
        return new UsageException("-H takes only TARGET, but got more arguments: " + String.join(" ", quoted)
                + ". To list several hosts by ID, give them as one argument, comma-separated or quoted, such as: "
                + "-H -L '" + joinedList(target, extraWords) + "'");
    }

    /**
     * Returns the error for a -L host list split over several arguments, such as
     * {@code -L lab-01 lab-02 state.apply}, when the first word after TARGET is a roster host ID.
     * Returns null when it is not, or when the roster cannot be loaded, so that the caller
     * reports its own error. The roster's notices are not printed again.
     */
    UsageException splitHostList(QfleetConfig config, String target, List<String> words) {
        Set<String> ids = new HashSet<>();
        try {
            for (RosterEntry entry : loadRoster(config, new PrintStream(OutputStream.nullOutputStream())).entries()) {
                ids.add(entry.id());
            }
        } catch (UsageException ex) {
            return null;
        }
        List<String> hostWords = new ArrayList<>();
        for (String word : words) {
            if (!ids.contains(word)) {
                break;
            }
            hostWords.add(word);
        }
        if (hostWords.isEmpty()) {
            return null;
        }
        String rest = words.size() > hostWords.size() ? " " + words.get(hostWords.size()) : " FUNCTION";
        return new UsageException("'" + hostWords.get(0) + "' is a host ID in the roster, not a function: with -L,"
                + " the host list must be one argument, comma-separated or quoted, such as: -L '"
                + joinedList(target, hostWords) + "'" + rest);
    }

    /** Joins TARGET and the host IDs after it into one -L list. */
    private static String joinedList(String target, List<String> hostWords) {
        List<String> ids = new ArrayList<>(List.of(target.split("[,\\s]+")));
        ids.addAll(hostWords);
        return String.join(",", ids);
    }

    /** Reads the grains that earlier runs cached; without a readable cache, grain targets use roster grains only. */
    private static Map<String, Map<String, Object>> cachedGrains(Path jobsDir, PrintStream err) {
        try {
            Map<String, Map<String, Object>> grains = new JobCache(jobsDir).latestGrains();
            if (grains.isEmpty()) {
                err.println("qfleet: note: no grains are cached in " + jobsDir + " yet, so grain targets match"
                        + " the roster's grains only; any run that reaches a host caches its grains.");
            }
            return grains;
        } catch (java.io.IOException ex) {
            err.println("qfleet: warning: cannot read cached grains in " + jobsDir + ": " + ex.getMessage()
                    + "; grain targets match the roster's grains only.");
            return Map.of();
        }
    }

    /**
     * Returns the configuration's nodegroups or, when it defines none, the group {@code dom0} of every
     * roster host, which the Qubes top files target and which the renderer then applies too.
     */
    private static Nodegroups nodegroups(QfleetConfig config) throws RosterException {
        if (!config.nodegroups().names().isEmpty()) {
            return config.nodegroups();
        }
        return Nodegroups.of(Map.of("dom0", TargetMatcher.FLEET_NODEGROUPS.get("dom0")),
                "qfleet's built-in nodegroups");
    }

    private static List<RosterEntry> select(Roster roster, TargetType type, Shard part, QfleetConfig config,
            String target, Path jobsDir, PrintStream err) throws UsageException {
        List<RosterEntry> matched;
        try {
            Nodegroups nodegroups = nodegroups(config);
            Map<String, Map<String, Object>> cached = Map.of();
            if (Targets.readsGrains(type, target, nodegroups)) {
                cached = cachedGrains(jobsDir, err);
            }
            Map<String, Map<String, Object>> cachedGrains = cached;
            matched = Targets.select(roster, type, target, nodegroups,
                    id -> cachedGrains.getOrDefault(id, Map.of()));
        } catch (RosterException ex) {
            throw new UsageException(ex.getMessage(), ex);
        }
        if (part == null) {
            return matched;
        }
        List<RosterEntry> inShard = part.select(matched);
        if (inShard.isEmpty()) {
            err.println("qfleet: note: shard " + part + " contains none of the " + matched.size()
                    + " targeted hosts; there is nothing to do.");
        }
        return inShard;
    }

    /** Returns the {@code --shard} part, or null when the option is not given. */
    Shard shard() throws UsageException {
        if (shard == null) {
            return null;
        }
        try {
            return Shard.parse(shard);
        } catch (IllegalArgumentException ex) {
            throw new UsageException("--shard: " + ex.getMessage());
        }
    }
}
