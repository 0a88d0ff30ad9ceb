package org.qfleet.states.render;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.el.ExtendedSyntaxBuilder;
import com.hubspot.jinjava.el.TruthyTypeConverter;
import com.hubspot.jinjava.el.ext.CollectionNonMembershipOperator;
import com.hubspot.jinjava.el.ext.ExtendedParser;
import com.hubspot.jinjava.el.ext.ExtendedScanner;
import com.hubspot.jinjava.el.ext.PowerOfOperator;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.exptest.ExpTest;
import com.hubspot.jinjava.lib.filter.Filter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import jinjava.de.odysseus.el.ExpressionFactoryImpl;
import jinjava.de.odysseus.el.misc.NumberOperations;
import jinjava.de.odysseus.el.misc.TypeConverter;
import jinjava.de.odysseus.el.tree.TreeBuilder;
import jinjava.de.odysseus.el.tree.impl.Builder;
import jinjava.de.odysseus.el.tree.impl.Parser;
import jinjava.de.odysseus.el.tree.impl.Parser.ExtensionPoint;
import jinjava.de.odysseus.el.tree.impl.Parser.ParseException;
import jinjava.de.odysseus.el.tree.impl.Scanner;
import jinjava.de.odysseus.el.tree.impl.Scanner.Token;
import jinjava.de.odysseus.el.tree.impl.ast.AstBinary;
import jinjava.de.odysseus.el.tree.impl.ast.AstIdentifier;
import jinjava.de.odysseus.el.tree.impl.ast.AstNode;
import jinjava.de.odysseus.el.tree.impl.ast.AstParameters;
import jinjava.de.odysseus.el.tree.impl.ast.AstUnary;
import jinjava.javax.el.ELException;
import jinjava.javax.el.ExpressionFactory;

/**
 * Python's meaning for {@code %} and {@code *} in expressions: {@code '%s-%d' % ('a', 1)}
 * formats text, {@code 'ab' * 2} and {@code [0] * 3} repeat, and {@code %} on numbers takes
 * the sign of the divisor. Jinjava's parser builds only the numeric forms, so
 * {@link PythonJinjava} parses expressions with {@link PythonSyntaxBuilder}, whose parser
 * swaps in these operators.
 */
final class PythonOperators {

    private PythonOperators() {}

    static final AstBinary.Operator MOD = new AstBinary.SimpleOperator() {
        @Override
        protected Object apply(TypeConverter converter, Object left, Object right) {
            if (left instanceof CharSequence template) {
                return PythonPercentFormat.format(template.toString(), right);
            }
            if (isInteger(left) && isInteger(right)) {
                long divisor = ((Number) right).longValue();
                if (divisor == 0) {
                    throw new ArithmeticException("integer division or modulo by zero");
                }
                return Math.floorMod(((Number) left).longValue(), divisor);
            }
            if (left instanceof Number a && right instanceof Number b) {
                double x = a.doubleValue();
                double y = b.doubleValue();
                return x - y * Math.floor(x / y);
            }
            return NumberOperations.mod(converter, left, right);
        }

        @Override
        public String toString() {
            return "%";
        }
    };

    static final AstBinary.Operator MUL = new AstBinary.SimpleOperator() {
        @Override
        protected Object apply(TypeConverter converter, Object left, Object right) {
            if (isRepeatable(left) && isInteger(right)) {
                return repeat(left, ((Number) right).intValue());
            }
            if (isInteger(left) && isRepeatable(right)) {
                return repeat(right, ((Number) left).intValue());
            }
            return NumberOperations.mul(converter, left, right);
        }

        @Override
        public String toString() {
            return "*";
        }
    };

    /** Python's {@code ==}: no conversion between strings, numbers and booleans, as EL does. */
    static final AstBinary.Operator EQ = new AstBinary.SimpleOperator() {
        @Override
        protected Object apply(TypeConverter converter, Object left, Object right) {
            return pythonEquals(left, right);
        }

        @Override
        public String toString() {
            return "==";
        }
    };

    /** Python's {@code !=}, the negation of {@link #EQ}. */
    static final AstBinary.Operator NE = new AstBinary.SimpleOperator() {
        @Override
        protected Object apply(TypeConverter converter, Object left, Object right) {
            return !pythonEquals(left, right);
        }

        @Override
        public String toString() {
            return "!=";
        }
    };

    /**
     * Compares two values as Python's {@code ==} does: numbers and booleans by numeric value
     * ({@code 1 == 1.0 == True}), strings only with strings, lists and mappings item by item,
     * anything else with {@code equals}. An undefined variable raises its error, as Jinja2's
     * StrictUndefined does.
     */
    static boolean pythonEquals(Object leftValue, Object rightValue) {
        Object left = PythonRepr.unwrap(leftValue);
        Object right = PythonRepr.unwrap(rightValue);
        if (left instanceof Undefined undefined) {
            throw undefined.error();
        }
        if (right instanceof Undefined undefined) {
            throw undefined.error();
        }
        if (left == null || right == null) {
            return left == right;
        }
        if (isNumeric(left) && isNumeric(right)) {
            return compareNumbers(left, right) == 0;
        }
        if (left instanceof CharSequence a && right instanceof CharSequence b) {
            return a.toString().equals(b.toString());
        }
        if (left instanceof List<?> a && right instanceof List<?> b) {
            if (a.size() != b.size()) {
                return false;
            }
            for (int i = 0; i < a.size(); i++) {
                if (!pythonEquals(a.get(i), b.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (left instanceof java.util.Map<?, ?> a && right instanceof java.util.Map<?, ?> b) {
            if (a.size() != b.size()) {
                return false;
            }
            for (java.util.Map.Entry<?, ?> entry : a.entrySet()) {
                if (!b.containsKey(entry.getKey()) || !pythonEquals(entry.getValue(), b.get(entry.getKey()))) {
                    return false;
                }
            }
            return true;
        }
        return left.equals(right);
    }

    private static boolean isNumeric(Object value) {
        return value instanceof Number || value instanceof Boolean;
    }

    private static int compareNumbers(Object left, Object right) {
        if (isWhole(left) && isWhole(right)) {
            return toBigInteger(left).compareTo(toBigInteger(right));
        }
        double a = toDouble(left);
        double b = toDouble(right);
        return a == b ? 0 : (a < b ? -1 : 1);
    }

    private static boolean isWhole(Object value) {
        return value instanceof Boolean || isInteger(value) || value instanceof java.math.BigInteger;
    }

    private static java.math.BigInteger toBigInteger(Object value) {
        if (value instanceof Boolean bool) {
            return bool ? java.math.BigInteger.ONE : java.math.BigInteger.ZERO;
        }
        if (value instanceof java.math.BigInteger big) {
            return big;
        }
        return java.math.BigInteger.valueOf(((Number) value).longValue());
    }

    private static double toDouble(Object value) {
        if (value instanceof Boolean bool) {
            return bool ? 1 : 0;
        }
        return ((Number) value).doubleValue();
    }

    private static boolean isInteger(Object value) {
        return value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte;
    }

    private static boolean isRepeatable(Object value) {
        return value instanceof CharSequence || value instanceof List<?>;
    }

    private static Object repeat(Object value, int times) {
        if (value instanceof CharSequence text) {
            return times <= 0 ? "" : text.toString().repeat(times);
        }
        List<Object> result = new ArrayList<>();
        for (int i = 0; i < times; i++) {
            result.addAll((Collection<?>) value);
        }
        return result;
    }

    /** Jinjava's syntax builder with {@link PythonParser}; instantiated by name, so public. */
    public static final class PythonSyntaxBuilder extends ExtendedSyntaxBuilder {
        private static final long serialVersionUID = 1L;

        public PythonSyntaxBuilder(Builder.Feature... features) {
            super(features);
        }

        @Override
        protected Parser createParser(String expression) {
            return new PythonParser(this, expression);
        }
    }

    /**
     * Words that the underlying expression language reserves but Jinja2 does not. They are
     * scanned as names, so a template may call a variable {@code empty} or {@code gt}.
     */
    private static final Set<String> EXPRESSION_LANGUAGE_ONLY_KEYWORDS =
            Set.of("empty", "div", "mod", "eq", "ne", "lt", "gt", "le", "ge", "instanceof");

    /** Jinjava's parser with Python's {@code %} and {@code *}. */
    static final class PythonParser extends ExtendedParser {
        private static final String FILTER_PREFIX = "filter:";
        private static final String TEST_PREFIX = "exptest:";

        PythonParser(Builder builder, String expression) {
            super(builder, expression);
        }

        @Override
        protected Scanner createScanner(String expression) {
            return new ExtendedScanner(expression) {
                @Override
                protected Token keyword(String word) {
                    return EXPRESSION_LANGUAGE_ONLY_KEYWORDS.contains(word) ? null : super.keyword(word);
                }
            };
        }

        /**
         * Parses {@code * / // %} with {@code **} one level tighter, as Jinja2 does; Jinjava
         * gives {@code **} the precedence of {@code *}, so {@code 2 * 3 ** 2} was 36. Like
         * Jinja2, {@code **} stays left-associative and a unary minus binds tighter.
         */
        @Override
        protected AstNode mul(boolean required) throws Scanner.ScanException, ParseException {
            AstNode value = power(required);
            if (value == null) {
                return null;
            }
            while (true) {
                Token token = getToken();
                switch (token.getSymbol()) {
                    case MUL -> {
                        consumeToken();
                        value = createAstBinary(value, power(true), AstBinary.MUL);
                    }
                    case DIV -> {
                        consumeToken();
                        value = createAstBinary(value, power(true), AstBinary.DIV);
                    }
                    case MOD -> {
                        consumeToken();
                        value = createAstBinary(value, power(true), AstBinary.MOD);
                    }
                    case EXTENSION -> {
                        if (isPower(token) || getExtensionHandler(token).getExtensionPoint() != ExtensionPoint.MUL) {
                            return value;
                        }
                        value = getExtensionHandler(consumeToken()).createAstNode(value, power(true));
                    }
                    default -> {
                        return value;
                    }
                }
            }
        }

        /**
         * Rejects a filter or test name that no library registers. Jinjava parses
         * {@code x | f} as a call on the name {@code filter:f}, which resolves to null for an
         * unknown filter, so the expression would quietly render as {@code None}.
         */
        @Override
        protected AstIdentifier createAstIdentifier(String name, int index) {
            JinjavaInterpreter interpreter = JinjavaInterpreter.getCurrent();
            if (interpreter != null) {
                Context scope = interpreter.getContext();
                if (name.startsWith(FILTER_PREFIX)) {
                    String filter = name.substring(FILTER_PREFIX.length());
                    if (scope.getFilter(filter) == null) {
                        List<String> known = scope.getAllFilters().stream().map(Filter::getName).toList();
                        throw new ELException("no filter named '" + filter + "'" + KnownNames.hint(filter, known));
                    }
                } else if (name.startsWith(TEST_PREFIX)) {
                    String test = name.substring(TEST_PREFIX.length());
                    if (scope.getExpTest(test) == null) {
                        List<String> known = scope.getAllExpTests().stream().map(ExpTest::getName).toList();
                        throw new ELException("no test named '" + test + "'" + KnownNames.hint(test, known));
                    }
                }
            }
            return super.createAstIdentifier(name, index);
        }

        /**
         * Parses Jinja2's comparisons, which share one precedence level and chain as in
         * Python: {@code 1 < x < 3} means {@code 1 < x and x < 3}. Jinjava's grammar puts
         * {@code ==} below {@code <} and does not chain, so {@code 1 < x < 3} failed to parse.
         * NOTE: a middle operand is evaluated once per comparison it takes part in, where
         * Python evaluates it once; this matters only for an operand with side effects.
         */
        @Override
        protected AstNode eq(boolean required) throws Scanner.ScanException, ParseException {
            if (getToken().getSymbol() == Scanner.Symbol.NOT) {
                // Jinja2's "not" binds more loosely than a comparison: "not x == 'y'" means
                // "not (x == 'y')". Jinjava's grammar read it as "(not x) == 'y'".
                consumeToken();
                return createAstUnary(eq(true), AstUnary.NOT);
            }
            AstNode left = add(required);
            if (left == null) {
                return null;
            }
            AstNode chain = null;
            while (true) {
                Comparison comparison = comparison();
                if (comparison == null) {
                    return chain == null ? left : chain;
                }
                AstNode right = add(true);
                AstNode test = comparison.create(this, left, right);
                chain = chain == null ? test : super.createAstBinary(chain, test, AstBinary.AND);
                left = right;
            }
        }

        /** One comparison operator of a chain, consumed from the input. */
        private interface Comparison {
            AstNode create(PythonParser parser, AstNode left, AstNode right);
        }

        private Comparison comparison() throws Scanner.ScanException, ParseException {
            Token token = getToken();
            AstBinary.Operator operator = switch (token.getSymbol()) {
                case EQ -> AstBinary.EQ;
                case NE -> AstBinary.NE;
                case LT -> AstBinary.LT;
                case LE -> AstBinary.LE;
                case GT -> AstBinary.GT;
                case GE -> AstBinary.GE;
                default -> null;
            };
            if (operator != null) {
                consumeToken();
                return (parser, left, right) -> parser.createAstBinary(left, right, operator);
            }
            if (token.getSymbol() == Scanner.Symbol.EXTENSION) {
                ExtensionPoint point = getExtensionHandler(token).getExtensionPoint();
                if (point == ExtensionPoint.CMP || point == ExtensionPoint.EQ) {
                    var handler = getExtensionHandler(consumeToken());
                    return (parser, left, right) -> handler.createAstNode(left, right);
                }
                return null;
            }
            if ("not".equals(token.getImage()) && "in".equals(lookahead(0).getImage())) {
                consumeToken();
                consumeToken();
                var handler = getExtensionHandler(CollectionNonMembershipOperator.TOKEN);
                return (parser, left, right) -> handler.createAstNode(left, right);
            }
            return null;
        }

        /**
         * Parses Python's empty tuple {@code ()} and, through {@link #params}, the one-item
         * tuple {@code (x,)}, which Jinjava's grammar rejects.
         */
        @Override
        protected AstNode nonliteral() throws Scanner.ScanException, ParseException {
            if (getToken().getSymbol() == Scanner.Symbol.LPAREN && lookahead(0).getSymbol() == Scanner.Symbol.RPAREN) {
                return createAstTuple(params());
            }
            return super.nonliteral();
        }

        /** Parses a parenthesised or bracketed list of expressions that may end with a comma. */
        @Override
        protected AstParameters params(Scanner.Symbol left, Scanner.Symbol right)
                throws Scanner.ScanException, ParseException {
            consumeToken(left);
            List<AstNode> nodes = new ArrayList<>();
            AstNode first = expr(false);
            if (first != null) {
                nodes.add(first);
                while (getToken().getSymbol() == Scanner.Symbol.COMMA) {
                    consumeToken();
                    if (getToken().getSymbol() == right) {
                        break;
                    }
                    nodes.add(expr(true));
                }
            }
            consumeToken(right);
            return createAstParameters(nodes);
        }

        private AstNode power(boolean required) throws Scanner.ScanException, ParseException {
            AstNode value = filter(required);
            if (value == null) {
                return null;
            }
            while (getToken().getSymbol() == Scanner.Symbol.EXTENSION && isPower(getToken())) {
                value = getExtensionHandler(consumeToken()).createAstNode(value, filter(true));
            }
            return value;
        }

        private static boolean isPower(Token token) {
            return PowerOfOperator.TOKEN.getImage().equals(token.getImage());
        }

        @Override
        protected AstBinary createAstBinary(AstNode left, AstNode right, AstBinary.Operator operator) {
            if (operator == AstBinary.MOD) {
                return super.createAstBinary(left, right, MOD);
            }
            if (operator == AstBinary.MUL) {
                return super.createAstBinary(left, right, MUL);
            }
            if (operator == AstBinary.EQ) {
                return super.createAstBinary(left, right, EQ);
            }
            if (operator == AstBinary.NE) {
                return super.createAstBinary(left, right, NE);
            }
            return super.createAstBinary(left, right, operator);
        }
    }

    /** A Jinjava engine whose expressions are parsed by {@link PythonSyntaxBuilder}. */
    static final class PythonJinjava extends Jinjava {
        private final ExpressionFactory expressionFactory;

        PythonJinjava(JinjavaConfig config) {
            super(config);
            Properties properties = new Properties();
            properties.setProperty(TreeBuilder.class.getName(), PythonSyntaxBuilder.class.getName());
            expressionFactory = new ExpressionFactoryImpl(properties, new TruthyTypeConverter());
        }

        @Override
        public ExpressionFactory getExpressionFactory() {
            return expressionFactory;
        }
    }

    /** Returns the arguments of a {@code %} format: a tuple's items, or the value alone. */
    static List<Object> formatArguments(Object value) {
        if (PythonRepr.isTuple(value)) {
            return new ArrayList<>((Collection<?>) PythonRepr.unwrap(value));
        }
        List<Object> single = new ArrayList<>();
        single.add(value);
        return single;
    }
}
