package org.qfleet.states.render;

import com.hubspot.jinjava.objects.serialization.PyishSerializable;
import com.hubspot.jinjava.util.HasObjectTruthValue;
import java.io.IOException;

/**
 * The value of an undefined variable, or of a missing key read as an attribute, as
 * Jinja2's {@code StrictUndefined}: only the {@code defined}, {@code undefined} and
 * {@code none} tests and the {@code default} filter accept it, and any other use ends the
 * rendering with an error naming the variable.
 */
final class Undefined implements HasObjectTruthValue, PyishSerializable {

    private final String message;

    private Undefined(String message) {
        this.message = message;
    }

    static Undefined variable(String name) {
        return new Undefined("Jinja variable '" + name + "' is undefined");
    }

    static Undefined attribute(Object owner, Object key) {
        String ownerType = owner instanceof java.util.Map ? "dict object" : owner.getClass().getSimpleName();
        return new Undefined("'" + ownerType + "' has no attribute '" + key + "'");
    }

    String message() {
        return message;
    }

    /** Records the error in the running render and returns the exception to throw. */
    UndefinedException error() {
        UndefinedException exception = new UndefinedException(message);
        RenderSession.current().ifPresent(session -> session.recordError(exception));
        return exception;
    }

    @Override
    public boolean getObjectTruthValue() {
        throw error();
    }

    @Override
    public <T extends Appendable & CharSequence> T appendPyishString(T appendable) throws IOException {
        throw error();
    }

    @Override
    public String toString() {
        throw error();
    }

    @Override
    public boolean equals(Object other) {
        throw error();
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }

    /** The use of an undefined value, raised where Jinja2's StrictUndefined raises. */
    static final class UndefinedException extends RuntimeException {
        UndefinedException(String message) {
            super(message);
        }
    }
}
