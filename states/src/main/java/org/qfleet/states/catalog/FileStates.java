package org.qfleet.states.catalog;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.qfleet.states.MessageValues;
import org.qfleet.states.StateException;
import org.qfleet.states.plan.ShimAction;
import org.qfleet.states.plan.Step;

/**
 * The {@code file} states for files in dom0. Each compiles to one file step, which the shim
 * performs itself: the content travels in the plan, and {@code source: salt://...} files are
 * read, and rendered with {@code template: jinja}, on the master.
 */
final class FileStates {

    static final Map<String, String> OK_COMMENTS = Map.of(
            "managed", "File %s is in the correct state",
            "absent", "File %s is not present",
            "directory", "The directory %s is in the correct state",
            "symlink", "Symlink %s is present",
            "append", "File %s is in correct state",
            "prepend", "File %s is in correct state",
            "replace", "No changes needed to be made");

    private static final Pattern MODE = Pattern.compile("0?[0-7]{3}");
    private static final List<String> RE_FLAGS = List.of("ASCII", "IGNORECASE", "LOCALE",
            "MULTILINE", "DOTALL", "VERBOSE");
    private static final Set<String> OWNERSHIP = Set.of("user", "group", "mode", "makedirs");

    private FileStates() {}

    /** Returns the file step of a {@code file.<fun>} call, recording problems on the call. */
    static List<Step> steps(String fun, Invocation call, FileSource files) {
        if (!call.name.startsWith("/") || call.name.contains("\0")) {
            call.errorIn("name", "invalid value for field 'name': " + MessageValues.quote(call.name)
                    + "; file states take an"
                    + " absolute path in dom0, such as /etc/qubes/policy.d/30-user.policy");
            return List.of();
        }
        if (Path.normalize(call.name).equals("/")) {
            call.error("refusing to manage '/' itself; name a file or directory below it");
            return List.of();
        }
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("op", fun);
        spec.put("path", call.name);
        switch (fun) {
            case "managed" -> managed(call, files, spec);
            case "absent" -> call.checkKnown(Set.of(), Set.of());
            case "directory" -> {
                call.checkKnown(OWNERSHIP, Set.of());
                ownership(call, spec);
            }
            case "symlink" -> {
                call.checkKnown(Set.of("target", "force", "makedirs"), Set.of());
                spec.put("target", required(call, "target"));
                spec.put("force", bool(call, "force", false));
                spec.put("makedirs", bool(call, "makedirs", false));
            }
            case "append", "prepend" -> {
                call.checkKnown(Set.of("text", "makedirs"), Set.of());
                spec.put("text", strings(call, "text", true));
                spec.put("makedirs", bool(call, "makedirs", false));
            }
            default -> replace(call, spec);
        }
        return List.of(Step.performed(null, call.name, new ShimAction("file", spec)));
    }

    private static void managed(Invocation call, FileSource files, Map<String, Object> spec) {
        call.checkKnown(Set.of("contents", "contents_pillar", "contents_newline", "source",
                "template", "user", "group", "mode", "makedirs", "replace"), Set.of());
        ownership(call, spec);
        List<String> given = call.kwargs.keySet().stream()
                .filter(key -> Set.of("contents", "contents_pillar", "source").contains(key)).toList();
        if (given.size() > 1) {
            call.error("arguments " + String.join(" and ", given) + " are given together; use only"
                    + " one of contents, contents_pillar and source");
            return;
        }
        String template = call.string("template");
        if (template != null && !template.equals("jinja")) {
            call.errorIn("template", "invalid value for field 'template': " + MessageValues.quote(template)
                    + "; qfleet renders"
                    + " jinja templates only");
        }
        if (template != null && !call.kwargs.containsKey("source")) {
            call.error("argument 'template' needs a 'source: salt://...' file to render");
        }
        String contents = null;
        if (call.kwargs.containsKey("contents")) {
            contents = text(call, "contents", call.kwargs.get("contents"));
        } else if (call.kwargs.containsKey("contents_pillar")) {
            String key = call.string("contents_pillar");
            Object value = key == null ? null : files.pillar(key);
            if (value == null) {
                call.error("field 'contents_pillar': pillar key " + MessageValues.quote(key)
                        + " is not set for this"
                        + " host; set it in the pillar or use contents");
                return;
            }
            contents = text(call, "contents_pillar", value);
        } else if (call.kwargs.containsKey("source")) {
            contents = source(call, files, template != null);
        }
        if (contents != null && bool(call, "contents_newline", true) && !contents.endsWith("\n")) {
            contents = contents + "\n";
        }
        spec.put("contents", contents);
        spec.put("replace", bool(call, "replace", true));
    }

    /**
     * Reads the source, or with a list of sources the first that exists in the file roots, as
     * Salt does.
     */
    private static String source(Invocation call, FileSource files, boolean jinja) {
        List<String> urls = call.asList("source", call.kwargs.get("source")).stream()
                .map(ValueForms::pythonString).toList();
        if (urls.isEmpty()) {
            call.error("argument 'source' is empty; give a salt:// URL");
            return null;
        }
        for (String url : urls) {
            if (!url.startsWith("salt://")) {
                call.errorIn("source", "invalid value for field 'source': " + MessageValues.quote(url)
                        + "; qfleet reads salt://"
                        + " files from the file roots only");
                return null;
            }
        }
        StateException missing = null;
        for (String url : urls) {
            String path = url.substring("salt://".length());
            int query = path.indexOf('?');
            if (query >= 0) {
                path = path.substring(0, query);
            }
            try {
                return files.read(path, jinja);
            } catch (StateException e) {
                if (urls.size() == 1 || !files.exists(path)) {
                    missing = missing == null ? e : missing;
                    continue;
                }
                call.error("field 'source': " + MessageValues.quote(url) + ": " + e.describe());
                return null;
            }
        }
        Object tried = urls.size() == 1 ? urls.get(0) : urls;
        call.error("field 'source': " + MessageValues.quote(tried) + ": " + missing.describe());
        return null;
    }

    private static void replace(Invocation call, Map<String, Object> spec) {
        call.checkKnown(Set.of("pattern", "repl", "count", "flags", "append_if_not_found",
                "prepend_if_not_found", "not_found_content", "ignore_if_missing"), Set.of());
        spec.put("pattern", required(call, "pattern"));
        spec.put("repl", call.kwargs.containsKey("repl") ? ValueForms.pythonString(call.kwargs.get("repl"))
                : required(call, "repl"));
        Object count = call.kwargs.getOrDefault("count", 0);
        if (!(count instanceof Integer number) || number < 0) {
            call.errorIn("count", "invalid value for field 'count': " + MessageValues.quote(count)
                    + "; it must be 0 (replace"
                    + " all) or a positive number");
        } else {
            spec.put("count", number);
        }
        spec.put("flags", flags(call));
        for (String key : List.of("append_if_not_found", "prepend_if_not_found", "ignore_if_missing")) {
            spec.put(key, bool(call, key, false));
        }
        String notFound = call.string("not_found_content");
        if (notFound != null) {
            spec.put("not_found_content", notFound);
        }
    }

    private static List<String> flags(Invocation call) {
        Object value = call.kwargs.get("flags");
        if (value == null) {
            return List.of("MULTILINE");
        }
        if (value instanceof Integer number) {
            // Python's re flag values, as Salt takes an integer.
            List<String> names = new java.util.ArrayList<>();
            int[] bits = {256, 2, 4, 8, 16, 64};
            for (int i = 0; i < bits.length; i++) {
                if ((number & bits[i]) != 0) {
                    names.add(RE_FLAGS.get(i));
                }
            }
            return names;
        }
        List<String> names = new java.util.ArrayList<>();
        for (Object flag : call.asList("flags", value)) {
            String name = ValueForms.pythonString(flag).toUpperCase(java.util.Locale.ROOT);
            if (!RE_FLAGS.contains(name)) {
                call.errorIn("flags", "invalid value in field 'flags': " + MessageValues.quote(flag)
                        + "; valid flags: "
                        + String.join(", ", RE_FLAGS));
            }
            names.add(name);
        }
        return names;
    }

    private static void ownership(Invocation call, Map<String, Object> spec) {
        spec.put("user", call.string("user"));
        spec.put("group", call.string("group"));
        spec.put("mode", mode(call));
        spec.put("makedirs", bool(call, "makedirs", false));
    }

    /** Returns the mode as four octal digits, from 644, '644' or '0644'. */
    static String mode(Invocation call) {
        Object value = call.kwargs.get("mode");
        if (value == null) {
            return null;
        }
        String digits = ValueForms.pythonString(value).strip();
        if (!MODE.matcher(digits).matches()) {
            call.errorIn("mode", "invalid value for field 'mode': " + MessageValues.quote(value)
                    + "; write the mode as three or"
                    + " four octal digits, such as 644 or '0640'");
            return null;
        }
        return digits.length() == 3 ? "0" + digits : digits;
    }

    static boolean bool(Invocation call, String key, boolean fallback) {
        Object value = call.kwargs.get(key);
        if (value == null) {
            return fallback;
        }
        if (value instanceof Boolean flag) {
            return flag;
        }
        call.errorIn(key, "invalid value for field " + MessageValues.quote(key) + ": "
                + MessageValues.quote(value)
                + "; it must be True or False");
        return fallback;
    }

    private static String required(Invocation call, String key) {
        String value = call.string(key);
        if (value == null && !call.kwargs.containsKey(key)) {
            call.error("missing argument " + MessageValues.quote(key));
        }
        return value;
    }

    /** Returns a string or a list of strings as text, the list's items one per line. */
    private static String text(Invocation call, String key, Object value) {
        if (value instanceof List<?> list) {
            return String.join("\n", list.stream().map(ValueForms::pythonString).toList());
        }
        if (value instanceof Map) {
            call.error("argument " + MessageValues.quote(key) + " must be text or a list of lines, got: "
                    + MessageValues.quote(value));
            return null;
        }
        return ValueForms.pythonString(value);
    }

    private static List<String> strings(Invocation call, String key, boolean required) {
        Object value = call.kwargs.get(key);
        if (value == null) {
            if (required) {
                call.error("missing argument " + MessageValues.quote(key)
                        + ": give the lines as text or a list");
            }
            return List.of();
        }
        return call.asList(key, value).stream().map(ValueForms::pythonString).toList();
    }

    /** Path helpers without java.nio, which would resolve against this machine's file system. */
    private static final class Path {
        static String normalize(String path) {
            String joined = String.join("/", List.of(path.split("/+")).stream()
                    .filter(part -> !part.isEmpty() && !part.equals(".")).toList());
            return "/" + joined;
        }
    }
}
