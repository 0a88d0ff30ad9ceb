package org.qfleet.states.catalog;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.qfleet.states.MessageValues;
import org.qfleet.states.plan.Expect;
import org.qfleet.states.plan.Probe;
import org.qfleet.states.plan.Step;

/**
 * qvm.firewall: a qube's whole list of firewall rules. Each rule is rewritten on the master into
 * the text {@code qvm-firewall --raw} prints (qubesadmin's {@code Rule.rule}: action, proto,
 * destination, dstports as {@code N-M}, icmptype, specialtarget, expire, comment, and a bare IP
 * address with its prefix length as {@code dst4=} or {@code dst6=}), so a converged qube
 * compares equal and a rerun changes nothing.
 */
final class QvmFirewall {

    /** Rule keys in the order qubesadmin writes them; comment must be last. */
    private static final List<String> KEYS = List.of("action", "proto", "dsthost", "dstports",
            "icmptype", "specialtarget", "expire", "comment");
    /** Keys that the positional form {@code ACTION [HOST [PROTO [PORTS]]]} fills in order. */
    private static final List<String> POSITIONAL = List.of("action", "dsthost", "proto", "dstports");
    private static final Pattern IPV4 = Pattern.compile(
            "(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern HOSTNAME = Pattern.compile("[a-z0-9._-]+");
    private static final Pattern PORTS = Pattern.compile("(\\d+)(?:-(\\d+))?");

    private QvmFirewall() {}

    /** Returns the step that replaces the qube's rules when they differ from {@code set} and {@code policy}. */
    static List<Step> steps(Invocation call) {
        call.checkKnown(Set.of("set", "policy"), Set.of());
        List<String> rules = new ArrayList<>();
        Object set = call.kwargs.get("set");
        for (Object rule : call.asList("set", set)) {
            String text = canonicalRule(call, rule);
            if (text != null) {
                rules.add(text);
            }
        }
        String policy = call.string("policy");
        if (policy != null) {
            if (policy.equals("accept") || policy.equals("drop")) {
                // Qubes 4 has no separate policy: a last rule without conditions acts as one.
                rules.add("action=" + policy);
            } else {
                call.errorIn("policy", "invalid value for field 'policy': " + MessageValues.quote(policy)
                        + "; valid policies:"
                        + " accept, drop");
            }
        }
        if (rules.isEmpty() && !call.failed()) {
            call.error("no rules: give 'set' (a list of rules) or 'policy' (accept or drop)");
        }
        if (call.failed()) {
            return List.of();
        }
        return List.of(new Step(call.group, "rules", call.name,
                new Probe(List.of("qvm-firewall", "--raw", call.name, "list"), "stdout", null, false),
                Expect.value(String.join("\n", rules)), replaceCommands(call.name, rules), null, null));
    }

    /**
     * Returns the commands that replace every rule. They block all traffic while the new rules
     * go in, so a command that fails leaves the qube cut off instead of open: after the reset,
     * a rule that drops everything goes first, the new rules go before it, and then the reset's
     * accept rule and the drop rule are removed.
     */
    private static List<List<String>> replaceCommands(String qube, List<String> rules) {
        // NOTE: between the reset and the next command the qube has the reset's accept rule.
        List<List<String>> commands = new ArrayList<>();
        commands.add(List.of("qvm-firewall", qube, "reset"));
        commands.add(List.of("qvm-firewall", qube, "add", "--before", "0", "action=drop"));
        for (int i = 0; i < rules.size(); i++) {
            List<String> add = new ArrayList<>(List.of("qvm-firewall", qube, "add", "--before",
                    String.valueOf(i)));
            add.addAll(ruleArguments(rules.get(i)));
            commands.add(add);
        }
        commands.add(List.of("qvm-firewall", qube, "del", "--rule-no", String.valueOf(rules.size() + 1)));
        commands.add(List.of("qvm-firewall", qube, "del", "--rule-no", String.valueOf(rules.size())));
        return commands;
    }

    /** Splits a canonical rule into qvm-firewall arguments; the comment stays one argument. */
    private static List<String> ruleArguments(String rule) {
        int comment = rule.indexOf("comment=");
        String head = comment < 0 ? rule : rule.substring(0, comment).strip();
        List<String> arguments = new ArrayList<>(List.of(head.split(" ")));
        if (comment >= 0) {
            arguments.add(rule.substring(comment));
        }
        return arguments;
    }

    /**
     * Returns a rule in qvm-firewall's raw form, or null after recording why it is invalid. A rule
     * is a string of {@code key=value} words (or Qubes' positional words), or a mapping of keys.
     */
    static String canonicalRule(Invocation call, Object rule) {
        Map<String, String> fields = new LinkedHashMap<>();
        if (rule instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                fields.put(String.valueOf(entry.getKey()), ValueForms.pythonString(entry.getValue()));
            }
        } else if (rule instanceof String text) {
            if (!parseWords(call, text, fields)) {
                return null;
            }
        } else {
            ruleError(call, rule, "invalid rule " + MessageValues.quote(rule)
                    + "; write a rule as 'action=accept dsthost=example.com"
                    + " proto=tcp dstports=443' or as a mapping of those keys");
            return null;
        }
        return canonical(call, rule, fields);
    }

    private static boolean parseWords(Invocation call, String text, Map<String, String> fields) {
        List<String> positional = new ArrayList<>(POSITIONAL);
        String[] words = text.strip().split("\\s+");
        for (int i = 0; i < words.length; i++) {
            String word = words[i];
            if (word.startsWith("comment=")) {
                // The comment takes the rest of the rule, spaces included.
                fields.put("comment", text.substring(text.indexOf("comment=") + "comment=".length()));
                break;
            }
            String key;
            String value;
            int equals = word.indexOf('=');
            if (equals > 0) {
                key = word.substring(0, equals);
                value = word.substring(equals + 1);
                positional.remove(key);
            } else if (!positional.isEmpty()) {
                key = positional.remove(0);
                value = word;
            } else {
                ruleError(call, text, "invalid rule " + MessageValues.quote(text) + ": unexpected word "
                        + MessageValues.quote(word));
                return false;
            }
            if (fields.put(key, value) != null) {
                ruleError(call, text, "invalid rule " + MessageValues.quote(text) + ": " + MessageValues.quote(key)
                        + " is given twice");
                return false;
            }
        }
        return true;
    }

    private static String canonical(Invocation call, Object rule, Map<String, String> fields) {
        String where = "invalid rule '" + rule + "': ";
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> field : fields.entrySet()) {
            String key = field.getKey();
            String value = field.getValue();
            switch (key) {
                case "dst4", "dst6", "dsthost" -> {
                    if (out.containsKey("dsthost")) {
                        ruleError(call, rule, where + "give only one of dsthost, dst4 and dst6");
                        return null;
                    }
                    String host = destination(value);
                    if (host == null) {
                        ruleError(call, rule, where + "invalid destination " + MessageValues.quote(value)
                                + "; use an IPv4 or"
                                + " IPv6 address or network, or a lower-case host name");
                        return null;
                    }
                    out.put("dsthost", host);
                }
                case "action", "proto", "dstports", "icmptype", "specialtarget", "expire", "comment" ->
                        out.put(key, value);
                default -> {
                    ruleError(call, rule, where + "unknown key " + MessageValues.quote(key)
                            + "; valid keys: action, comment,"
                            + " dst4, dst6, dsthost, dstports, expire, icmptype, proto, specialtarget");
                    return null;
                }
            }
        }
        String problem = checkValues(out);
        if (problem != null) {
            ruleError(call, rule, where + problem);
            return null;
        }
        List<String> words = new ArrayList<>();
        for (String key : KEYS) {
            String value = out.get(key);
            if (value != null) {
                words.add(key.equals("dsthost") ? value : key + "=" + value);
            }
        }
        return String.join(" ", words);
    }

    /** Checks and normalises the values in place; returns the problem, or null. */
    /**
     * Records an error about a rule of {@code set}, on the rule's line when the rule is a string.
     * A rule written as a mapping has no line of its own, so its error names the line of {@code set}.
     */
    private static void ruleError(Invocation call, Object rule, String message) {
        call.errorAt(rule instanceof String text ? List.of("set", text) : List.of("set"), message);
    }

    private static String checkValues(Map<String, String> rule) {
        String action = rule.get("action");
        if (action == null) {
            return "missing action; use action=accept or action=drop";
        }
        if (!action.equals("accept") && !action.equals("drop")) {
            return "invalid action '" + action + "'; use accept or drop";
        }
        String proto = rule.get("proto");
        if (proto != null && !List.of("tcp", "udp", "icmp").contains(proto)) {
            return "invalid proto '" + proto + "'; use tcp, udp or icmp";
        }
        String ports = rule.get("dstports");
        if (ports != null) {
            if (!"tcp".equals(proto) && !"udp".equals(proto)) {
                return "dstports is valid only with proto=tcp or proto=udp";
            }
            Matcher matcher = PORTS.matcher(ports);
            if (!matcher.matches()) {
                return "invalid dstports '" + ports + "'; use a port or a range such as 1000-2000";
            }
            long first = Long.parseLong(matcher.group(1));
            long last = matcher.group(2) == null ? first : Long.parseLong(matcher.group(2));
            if (first < 1 || last > 65535 || first > last) {
                return "invalid dstports '" + ports + "'; ports are 1 to 65535, low to high";
            }
            rule.put("dstports", first + "-" + last);
        }
        String icmpType = rule.get("icmptype");
        if (icmpType != null) {
            if (!"icmp".equals(proto)) {
                return "icmptype is valid only with proto=icmp";
            }
            if (!icmpType.matches("\\d{1,3}") || Integer.parseInt(icmpType) > 255) {
                return "invalid icmptype '" + icmpType + "'; use a number from 0 to 255";
            }
        }
        String special = rule.get("specialtarget");
        if (special != null && !special.equals("dns")) {
            return "invalid specialtarget '" + special + "'; the only one is dns";
        }
        String expire = rule.get("expire");
        if (expire != null && !expire.matches("\\d+")) {
            return "invalid expire '" + expire + "'; give a Unix time, because a relative time such"
                    + " as +300 names a different moment on every run and never converges";
        }
        return null;
    }

    /** Returns the destination as {@code dst4=}, {@code dst6=} or {@code dsthost=}, or null. */
    private static String destination(String value) {
        String address = value;
        String prefix = null;
        int slash = value.indexOf('/');
        if (slash >= 0) {
            address = value.substring(0, slash);
            prefix = value.substring(slash + 1);
            if (!prefix.matches("\\d{1,3}")) {
                return null;
            }
        }
        Matcher ipv4 = IPV4.matcher(address);
        if (ipv4.matches()) {
            for (int i = 1; i <= 4; i++) {
                if (Integer.parseInt(ipv4.group(i)) > 255) {
                    return null;
                }
            }
            int length = prefix == null ? 32 : Integer.parseInt(prefix);
            return length > 32 ? null : "dst4=" + address + "/" + length;
        }
        if (address.contains(":")) {
            if (!address.matches("[0-9a-fA-F:]+")) {
                return null;
            }
            int length = prefix == null ? 128 : Integer.parseInt(prefix);
            // NOTE: the address is kept as written; qubesd may print a compressed IPv6 form.
            return length > 128 ? null : "dst6=" + address.toLowerCase(Locale.ROOT) + "/" + length;
        }
        if (prefix != null || !HOSTNAME.matcher(value).matches()) {
            return null;
        }
        return "dsthost=" + value;
    }
}
