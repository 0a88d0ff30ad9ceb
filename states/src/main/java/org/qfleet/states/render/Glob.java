package org.qfleet.states.render;

/** Shell-style wildcard matching as Python's {@code fnmatch.fnmatch}: {@code * ? [seq] [!seq]}. */
final class Glob {

    private Glob() {}

    static boolean matches(String pattern, String text) {
        return java.util.regex.Pattern.compile(toRegex(pattern), java.util.regex.Pattern.DOTALL).matcher(text).matches();
    }

    static String toRegex(String pattern) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '*') {
                regex.append(".*");
            } else if (c == '?') {
                regex.append('.');
            } else if (c == '[') {
                int end = pattern.indexOf(']', i + 2);
                if (end < 0) {
                    regex.append("\\[");
                    continue;
                }
                String set = pattern.substring(i + 1, end);
                regex.append('[');
                if (set.startsWith("!")) {
                    regex.append('^');
                    set = set.substring(1);
                }
                regex.append(set.replace("\\", "\\\\").replace("[", "\\["));
                regex.append(']');
                i = end;
            } else {
                regex.append(java.util.regex.Pattern.quote(String.valueOf(c)));
            }
        }
        return regex.toString();
    }
}
