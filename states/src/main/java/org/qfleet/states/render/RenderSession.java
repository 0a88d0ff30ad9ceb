package org.qfleet.states.render;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;

/**
 * The state of one template rendering on the current thread: the file roots, the host
 * context, and the first error that Salt would have raised. Jinjava records most errors
 * and keeps rendering, so the session remembers the first one and runs no further host
 * calls after it, as Salt stops at the first error.
 */
final class RenderSession {

    private static final ThreadLocal<Deque<RenderSession>> CURRENT = ThreadLocal.withInitial(ArrayDeque::new);

    private final FileRoots roots;
    private final RenderContext context;
    private final String templatePath;
    private RenderException firstError;
    private Jinjava application;
    private Map<String, Object> globals = Map.of();

    RenderSession(FileRoots roots, RenderContext context, String templatePath) {
        this.roots = roots;
        this.context = context;
        this.templatePath = templatePath;
    }

    static Optional<RenderSession> current() {
        return Optional.ofNullable(CURRENT.get().peek());
    }

    static RenderSession require() {
        RenderSession session = CURRENT.get().peek();
        if (session == null) {
            throw new IllegalStateException("no Salt template is rendering on this thread");
        }
        return session;
    }

    /** Makes this the current session of the thread, rendering with the engine and the Salt globals given. */
    void open(Jinjava application, Map<String, Object> globals) {
        this.application = application;
        this.globals = globals;
        CURRENT.get().push(this);
    }

    /** Returns the engine that renders this session's templates. */
    Jinjava application() {
        return application;
    }

    /** Returns Salt's render context variables, which every template and import sees. */
    Map<String, Object> globals() {
        return globals;
    }

    void close() {
        CURRENT.get().remove(this);
    }

    FileRoots roots() {
        return roots;
    }

    RenderContext context() {
        return context;
    }

    /** Returns the path, relative to the roots, of the template this session renders. */
    String templatePath() {
        return templatePath;
    }

    boolean failed() {
        return firstError != null;
    }

    Optional<RenderException> firstError() {
        return Optional.ofNullable(firstError);
    }

    /** Records an error at the template and line the interpreter is at, if it is the first. */
    void recordError(RuntimeException error) {
        if (firstError != null) {
            return;
        }
        String template = currentTemplate();
        int line = JinjavaInterpreter.getCurrentMaybe().map(JinjavaInterpreter::getLineNumber).orElse(0);
        Path file = roots.find(template).orElse(Path.of(template));
        String offending = SaltYaml.lineOf(readQuietly(file), line).strip();
        String message = error.getMessage()
                + (offending.isEmpty() ? "" : "\n    " + offending + "    <======================");
        firstError = new RenderException(message, file, line, error);
    }

    /** Returns the template being rendered now: an imported file while its macros run, else the top one. */
    String currentTemplate() {
        return JinjavaInterpreter.getCurrentMaybe()
                .flatMap(interpreter -> interpreter.getContext().getCurrentPathStack().peek())
                .orElse(templatePath);
    }

    private static String readQuietly(Path file) {
        try {
            return java.nio.file.Files.readString(file);
        } catch (java.io.IOException | RuntimeException e) {
            return "";
        }
    }

    /** A failure inside a {@code salt[...]} call, carrying the {@link RenderException} through Jinjava. */
    static final class SaltCallException extends RuntimeException {
        SaltCallException(RenderException cause) {
            super(cause.getMessage(), cause);
        }

        SaltCallException(String message) {
            super(message);
        }
    }
}
