package org.qfleet.cli;

/** ANSI colours as Salt's outputters use them; every code is empty when colour is off. */
record Colors(String green, String cyan, String red, String lightYellow, String lightRed, String reset) {

    static final Colors NONE = new Colors("", "", "", "", "", "");
    static final Colors ANSI = new Colors(
            "\033[0;32m", "\033[0;36m", "\033[0;31m", "\033[1;33m", "\033[1;31m", "\033[0;0m");

    /**
     * Chooses colour as Salt does, plus the NO_COLOR convention: {@code --no-color} wins, then
     * {@code --force-color}, then a set NO_COLOR turns colour off, else colour when stdout is a
     * terminal.
     */
    static Colors choose(boolean noColor, boolean forceColor) {
        if (noColor) {
            return NONE;
        }
        if (forceColor) {
            return ANSI;
        }
        String noColorVariable = System.getenv("NO_COLOR");
        if (noColorVariable != null && !noColorVariable.isEmpty()) {
            return NONE;
        }
        return onTerminal() ? ANSI : NONE;
    }

    /**
     * Whether standard input and output are a terminal. Java 17 returns no console otherwise;
     * Java 22 and later return one anyway and report it through {@code Console.isTerminal()},
     * which is called by reflection because this code compiles for Java 17.
     */
    static boolean onTerminal() {
        java.io.Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException ex) {
            return true;
        }
    }
}
