package org.qfleet.states.compile;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.qfleet.states.MessageValues;
import org.qfleet.states.SourceLine;
import org.qfleet.states.render.DeclarationLines;

/**
 * Normalises the state declarations of one rendered SLS file: the short form
 * {@code id: mod.fun}, dotted keys such as {@code qvm.present: [...]}, and plain module keys
 * with the function as a bare string in the list.
 */
final class StateDeclarations {

    private StateDeclarations() {}

    /**
     * Normalises every ID of {@code body}.
     *
     * @param lines the lines of the IDs and arguments in the rendered file
     */
    static Map<String, IdDeclaration> normalise(Map<Object, Object> body, String sls,
            DeclarationLines lines, List<String> errors) {
        Map<String, IdDeclaration> declarations = new LinkedHashMap<>();
        for (Map.Entry<Object, Object> entry : body.entrySet()) {
            if (!(entry.getKey() instanceof String id)) {
                errors.add(prefix(lines.id(String.valueOf(entry.getKey()))) + "ID "
                        + MessageValues.quote(entry.getKey()) + " in SLS " + MessageValues.quote(sls) + " is a "
                        + typeName(entry.getKey()) + ", not a string; quote it");
                continue;
            }
            IdDeclaration declaration = normaliseId(id, entry.getValue(), sls, lines.id(id), errors);
            if (declaration != null) {
                for (String module : declaration.modules.keySet()) {
                    declaration.argumentLines.put(module, lines.arguments(id, module));
                }
                declarations.put(id, declaration);
            }
        }
        return declarations;
    }

    private static IdDeclaration normaliseId(String id, Object value, String sls, SourceLine line,
            List<String> errors) {
        IdDeclaration declaration = new IdDeclaration(id, sls, line);
        if (value instanceof String shortForm && shortForm.contains(".")) {
            int dot = shortForm.indexOf('.');
            List<Object> arguments = new ArrayList<>();
            arguments.add(functionOf(shortForm));
            declaration.modules.put(shortForm.substring(0, dot), arguments);
            return declaration;
        }
        if (!(value instanceof Map<?, ?> modules)) {
            errors.add(where(id, sls, line) + " is not a mapping of state declarations, got: "
                    + MessageValues.quote(value));
            return null;
        }
        // Dotted keys go after the plain ones, the order Salt's own normalisation leaves them in,
        // which decides the automatic order of their declarations.
        Map<String, List<Object>> dotted = new LinkedHashMap<>();
        for (Map.Entry<?, ?> module : modules.entrySet()) {
            String key = String.valueOf(module.getKey());
            Object arguments = module.getValue();
            if (arguments == null) {
                errors.add(where(id, sls, line) + " contains a short declaration (" + key + ") with a trailing colon."
                        + " Without arguments, omit the colon: " + MessageValues.quote(id + ": " + key));
                continue;
            }
            if (!(arguments instanceof List<?> list)) {
                errors.add(prefix(line) + "State " + MessageValues.quote(key) + " of ID " + MessageValues.quote(id)
                        + " in SLS " + MessageValues.quote(sls) + " must be a list of arguments, got: "
                        + MessageValues.quote(arguments));
                continue;
            }
            List<Object> copy = IdDeclaration.copyArguments(list);
            String moduleName = key;
            if (key.contains(".")) {
                moduleName = key.substring(0, key.indexOf('.'));
                copy.add(functionOf(key));
            }
            if (declaration.modules.containsKey(moduleName) || dotted.containsKey(moduleName)) {
                errors.add(where(id, sls, line) + " contains multiple state declarations of the same type ("
                        + MessageValues.quote(moduleName) + "); give each one its own ID");
                continue;
            }
            if (key.contains(".")) {
                dotted.put(moduleName, copy);
            } else {
                declaration.modules.put(moduleName, copy);
            }
        }
        declaration.modules.putAll(dotted);
        return declaration;
    }

    /** Returns {@code FILE:LINE: ID 'x' in SLS 'y'}, built only for an error because quoting costs time. */
    private static String where(String id, String sls, SourceLine line) {
        return prefix(line) + "ID " + MessageValues.quote(id) + " in SLS " + MessageValues.quote(sls);
    }

    /** Returns the {@code FILE:LINE: } prefix of a message about an ID, or "" when its line is unknown. */
    private static String prefix(SourceLine line) {
        return line == null ? "" : line.prefix();
    }

    /** Returns the function of a dotted state key: the second component, as Salt takes it. */
    private static String functionOf(String dottedKey) {
        String[] components = dottedKey.split("\\.");
        return components.length > 1 ? components[1] : "";
    }

    static String typeName(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof Integer || value instanceof Long) {
            return "integer";
        }
        if (value instanceof Double || value instanceof Float) {
            return "float";
        }
        if (value instanceof Boolean) {
            return "boolean";
        }
        if (value instanceof List) {
            return "list";
        }
        if (value instanceof Map) {
            return "mapping";
        }
        return value.getClass().getSimpleName();
    }
}
