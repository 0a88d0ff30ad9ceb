package org.qfleet.states.render;

import com.hubspot.jinjava.el.ext.NamedParameter;
import com.hubspot.jinjava.objects.SafeString;
import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * Gives expressions their Python meaning where Jinjava's defaults differ: missing mapping
 * keys are {@link Undefined} rather than null, an undefined value raises on use, the
 * {@code salt} object resolves dotted function names, and strings, lists and dicts get the
 * Python methods that formulas call. It runs before Jinjava's own resolvers, which handle
 * everything it leaves unresolved.
 */
final class SaltElResolver extends ELResolver {

    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        if (base == null) {
            return null;
        }
        if (base instanceof Undefined undefined) {
            throw undefined.error();
        }
        if (base instanceof SaltFunctions functions) {
            String name = String.valueOf(property);
            Object value = functions.lookup(name)
                    .orElseThrow(() -> callError(functions.missingMessage(name)));
            context.setPropertyResolved(true);
            return value;
        }
        if (base instanceof SaltFunctions.Module module) {
            String name = String.valueOf(property);
            Object value = module.lookup(name).orElseThrow(() -> callError(module.missingMessage(name)));
            context.setPropertyResolved(true);
            return value;
        }
        Integer position = base instanceof CharSequence ? integerProperty(property) : null;
        if (position != null) {
            CharSequence text = (CharSequence) base;
            int index = position < 0 ? text.length() + position : position;
            if (index < 0 || index >= text.length()) {
                throw new IndexOutOfBoundsException("string index out of range: " + position);
            }
            context.setPropertyResolved(true);
            return String.valueOf(text.charAt(index));
        }
        if (base instanceof Map<?, ?> map && property != null && !hasKey(map, property)) {
            context.setPropertyResolved(true);
            return Undefined.attribute(map, property);
        }
        return null;
    }

    /** Returns the property as an integer index, or null when it is not one (Jinjava passes indexes as text). */
    private static Integer integerProperty(Object property) {
        if (property instanceof Number number) {
            return number.intValue();
        }
        if (property instanceof String text && text.matches("-?\\d{1,9}")) {
            return Integer.parseInt(text);
        }
        return null;
    }

    private static RuntimeException callError(String message) {
        RenderSession.SaltCallException error = new RenderSession.SaltCallException(message);
        RenderSession.current().ifPresent(session -> session.recordError(error));
        return error;
    }

    private static boolean hasKey(Map<?, ?> map, Object property) {
        if (map.containsKey(property)) {
            return true;
        }
        if (property instanceof Number number) {
            return map.containsKey(String.valueOf(number))
                    || map.keySet().stream().anyMatch(key -> key instanceof Number n && n.longValue() == number.longValue());
        }
        if (property instanceof String text) {
            try {
                long number = Long.parseLong(text);
                return map.keySet().stream().anyMatch(key -> key instanceof Number n && n.longValue() == number);
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return false;
    }

    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
        if (base == null || method == null) {
            return null;
        }
        if (base instanceof Undefined undefined) {
            throw undefined.error();
        }
        String name = method.toString();
        Object[] args = params == null ? new Object[0] : params;
        Object result = NOT_HANDLED;
        if (base instanceof String || base instanceof SafeString) {
            result = PythonStrings.call(base.toString(), name, positional(args), keywords(args));
        } else if (base instanceof List<?> list) {
            result = callListMethod(castList(list), name, positional(args));
        } else if (base instanceof Map<?, ?> map) {
            result = callDictMethod(castMap(map), name, positional(args), keywords(args));
        }
        if (result == NOT_HANDLED) {
            return null;
        }
        context.setPropertyResolved(true);
        return result;
    }

    /** Marker returned by method handlers for a method they leave to Jinjava. */
    static final Object NOT_HANDLED = new Object();

    @SuppressWarnings("unchecked")
    private static List<Object> castList(List<?> list) {
        return (List<Object>) list;
    }

    @SuppressWarnings("unchecked")
    private static Map<Object, Object> castMap(Map<?, ?> map) {
        return (Map<Object, Object>) map;
    }

    static List<Object> positional(Object[] args) {
        List<Object> result = new ArrayList<>();
        for (Object arg : args) {
            if (!(arg instanceof NamedParameter)) {
                result.add(arg);
            }
        }
        return result;
    }

    static Map<String, Object> keywords(Object[] args) {
        Map<String, Object> result = new LinkedHashMap<>();
        for (Object arg : args) {
            if (arg instanceof NamedParameter named) {
                result.put(named.getName(), named.getValue());
            }
        }
        return result;
    }

    private static Object callListMethod(List<Object> list, String name, List<Object> args) {
        switch (name) {
            case "append":
                list.add(args.isEmpty() ? null : args.get(0));
                return null;
            case "extend":
                for (Object item : SaltFilters.iterate(args.isEmpty() ? List.of() : args.get(0))) {
                    list.add(item);
                }
                return null;
            case "insert": {
                int size = list.size();
                int index = ((Number) args.get(0)).intValue();
                index = index < 0 ? Math.max(0, size + index) : Math.min(index, size);
                list.add(index, args.get(1));
                return null;
            }
            case "remove": {
                Object value = args.get(0);
                for (Iterator<Object> it = list.iterator(); it.hasNext(); ) {
                    if (SaltFilters.pyEquals(it.next(), value)) {
                        it.remove();
                        return null;
                    }
                }
                throw new IllegalArgumentException("list.remove(x): " + PythonRepr.repr(value) + " not in list");
            }
            case "pop": {
                if (list.isEmpty()) {
                    throw new IllegalArgumentException("pop from empty list");
                }
                int index = args.isEmpty() ? list.size() - 1 : ((Number) args.get(0)).intValue();
                return list.remove(index < 0 ? list.size() + index : index);
            }
            case "index": {
                for (int i = 0; i < list.size(); i++) {
                    if (SaltFilters.pyEquals(list.get(i), args.get(0))) {
                        return (long) i;
                    }
                }
                throw new IllegalArgumentException(PythonRepr.repr(args.get(0)) + " is not in list");
            }
            case "count":
                return list.stream().filter(item -> SaltFilters.pyEquals(item, args.get(0))).count();
            case "sort":
                list.sort(SaltFilters::compare);
                return null;
            case "reverse":
                java.util.Collections.reverse(list);
                return null;
            case "copy":
                return new ArrayList<>(list);
            case "clear":
                list.clear();
                return null;
            default:
                return NOT_HANDLED;
        }
    }

    private static Object callDictMethod(Map<Object, Object> map, String name, List<Object> args,
            Map<String, Object> kwargs) {
        switch (name) {
            case "get":
                if (args.isEmpty()) {
                    return NOT_HANDLED;
                }
                return map.containsKey(args.get(0)) ? map.get(args.get(0)) : (args.size() > 1 ? args.get(1) : null);
            case "update":
                for (Object source : args) {
                    if (source instanceof Map<?, ?> other) {
                        map.putAll(other);
                    } else {
                        for (Object pair : SaltFilters.iterate(source)) {
                            List<Object> entry = SaltFilters.toList(pair);
                            map.put(entry.get(0), entry.get(1));
                        }
                    }
                }
                map.putAll(kwargs);
                return null;
            case "setdefault":
                if (!map.containsKey(args.get(0))) {
                    map.put(args.get(0), args.size() > 1 ? args.get(1) : null);
                }
                return map.get(args.get(0));
            case "pop":
                if (map.containsKey(args.get(0))) {
                    return map.remove(args.get(0));
                }
                if (args.size() > 1) {
                    return args.get(1);
                }
                throw new IllegalArgumentException("KeyError: " + PythonRepr.repr(args.get(0)));
            case "copy":
                return new LinkedHashMap<>(map);
            case "keys":
                return new ArrayList<>(map.keySet());
            case "values":
                return new ArrayList<>(map.values());
            case "items": {
                List<Object> items = new ArrayList<>();
                for (Map.Entry<Object, Object> entry : map.entrySet()) {
                    items.add(new PythonTuple(entry.getKey(), entry.getValue()));
                }
                return items;
            }
            case "clear":
                map.clear();
                return null;
            default:
                return NOT_HANDLED;
        }
    }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {
        // Assignment stays with Jinjava's resolvers.
    }

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) {
        return false;
    }

    @Override
    public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
        return null;
    }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) {
        return null;
    }
}
