package org.qfleet.states.render;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Checks one Jinja feature per key of the probe formulas {@code probe/features.sls} and
 * {@code probe/more.sls}. Each expected value is what Salt 3006 (Jinja2 3.1.2, PyYAML 6.0)
 * printed for that key when it rendered the same file for minion {@code lab-01} with the
 * fixture grains and pillar.
 */
class SaltJinjaFeaturesTest {

    private static final Map<String, Map<String, Object>> RENDERED = new HashMap<>();

    static Stream<Arguments> saltOutput() {
        return Stream.of(
                Arguments.of("probe.features", "python_repr", "{'zeta': 1, 'alpha': [1, 'two', None, True], 'mid': {'y': 'yes', 'x': '0644'}}"),
                Arguments.of("probe.features", "python_none", "None True False"),
                Arguments.of("probe.features", "yaml_flow", "{alpha: [1, two, null, true], mid: {x: '0644', y: 'yes'}, zeta: 1}"),
                Arguments.of("probe.features", "yaml_block", "alpha:\n- 1\n- two\n- null\n- true\nmid:\n  x: '0644'\n  y: 'yes'\nzeta: 1"),
                Arguments.of("probe.features", "json_sorted", "{\"alpha\": [1, \"two\", null, true], \"mid\": {\"x\": \"0644\", \"y\": \"yes\"}, \"zeta\": 1}"),
                Arguments.of("probe.features", "tojson_ordered", "{\"zeta\": 1, \"alpha\": [1, \"two\", null, true], \"mid\": {\"y\": \"yes\", \"x\": \"0644\"}}"),
                Arguments.of("probe.features", "split", "['sys-net', 'sys-usb', 'sys-firewall']"),
                Arguments.of("probe.features", "split_sep", "['a', 'b', '', 'c'] ['a', 'b c']"),
                Arguments.of("probe.features", "starts", "3 True True"),
                Arguments.of("probe.features", "strip_replace", "[sys-net  sys-usb sys-firewall] [a-b-] [NETnet]"),
                Arguments.of("probe.features", "format", "fedora-dvm a/b x-3"),
                Arguments.of("probe.features", "loop_filter", "1=sys-net 2=sys-firewall "),
                Arguments.of("probe.features", "loop_items", "zeta:1;alpha:[1, 'two', None, True];"),
                Arguments.of("probe.features", "dict_loop", "zeta alpha mid "),
                Arguments.of("probe.features", "imported_yaml", "{'label': 'red', 'mode': 644, 'when': '2026-12-04', 'list': ['a', 'b']}"),
                Arguments.of("probe.features", "imported_json", "{'ssh': 22, 'names': ['a', 'b'], 'ok': True}"),
                Arguments.of("probe.features", "imported_text", "Welcome to Qubes"),
                Arguments.of("probe.features", "loaded_json", "{'b': [1, 2], 'a': None}"),
                Arguments.of("probe.features", "loaded_text", "[  plain text  ]"),
                Arguments.of("probe.features", "namespace_var", "lab 400"),
                Arguments.of("probe.features", "macro_defaults", "hello qube! hello qube?"),
                Arguments.of("probe.features", "macro_caller", "<b>inner</b>"),
                Arguments.of("probe.features", "numbers", "3 2.5 1024 2.0 4.0 2.57 5 13 3 0 1.0 1e+20"),
                Arguments.of("probe.features", "minmax", "3 1 b"),
                Arguments.of("probe.features", "tests", "True False True True False False False True"),
                Arguments.of("probe.features", "defaults", "fallback dflt empty"),
                Arguments.of("probe.features", "indent_blank", "a\n  \n  b|a\n\n  b|  a\n  b"),
                Arguments.of("probe.features", "salt_filters", "\"a: b\" 'it''s' \"x\\\"y\" 42 true"),
                Arguments.of("probe.features", "regex", "('a', 'd') None lets__replace__spaces a\\.b\\*c"),
                Arguments.of("probe.features", "lists", "[1, 2, 3] [1, 2, 3] [2, 3] [1, 3] [1, 2, 3] ['a'] True False"),
                Arguments.of("probe.features", "conversions", "True False False 43 4.5 'it'\"'\"'s a' plain"),
                Arguments.of("probe.features", "paths", "/srv/salt/top.sls 0644 two dflt"),
                Arguments.of("probe.features", "hashes", "8d74e293f59b7453ef4c8ff34525eae6 f21f1cba6f720ffeab562fa09ac19aee6772564052db43873879334f99b462f5 cWZsZWV0 qfleet"),
                Arguments.of("probe.features", "dictsort", "[('a', 2), ('b', 1)]"),
                Arguments.of("probe.features", "list_methods", "[9, 3, 2, 5] 5 1"),
                Arguments.of("probe.features", "dict_methods", "1 {'b': 2, 'c': 3} None 0 ['b', 'c'] [2, 3]"),
                Arguments.of("probe.features", "membership", "True True True True"),
                Arguments.of("probe.features", "tests_match", "True False True"),
                Arguments.of("probe.features", "grains_pillar", "Qubes n/a 03:00.0 300 lab |"),
                Arguments.of("probe.features", "context_vars", "probe.features probe probe probe probe probe/features.sls probe probe base lab-01"),
                Arguments.of("probe.features", "string_filter", "[1, 'two', None, True] 1,two,None,True 3 sys-net sys-firewall sys-firewall sys-net sys-usb"),
                Arguments.of("probe.features", "ternary", "a no"),
                Arguments.of("probe.features", "set_block", "x2"),
                Arguments.of("probe.more", "loop_vars", "0TrueFalse33 1FalseFalse32 2FalseTrue31 "),
                Arguments.of("probe.more", "loop_controls", "sys-net sys-firewall "),
                Arguments.of("probe.more", "ranges", "[0, 1, 2] [1, 2, 3] True"),
                Arguments.of("probe.more", "concat", "['sys-net', 'sys-usb', 'sys-firewall', 'x'] a1 ab 1"),
                Arguments.of("probe.more", "namespace", "700"),
                Arguments.of("probe.more", "attr_filters", "['b'] 700 [{'name': 'b', 'mem': 300}]"),
                Arguments.of("probe.more", "filter_block", "SHOUT"),
                Arguments.of("probe.more", "raw", "{{ kept }}"),
                Arguments.of("probe.more", "indexing", "a bc sys-firewall ['sys-net', 'sys-usb']"),
                Arguments.of("probe.more", "multi_set", "12"),
                Arguments.of("probe.more", "string_filters", "Hello World Hello x a_b   x  |"),
                Arguments.of("probe.more", "with_block", "5"),
                Arguments.of("probe.more", "tests_more", "True True True True True True"),
                Arguments.of("probe.more", "none_compare", "True True True"),
                Arguments.of("probe.more", "cmd_run", "hi"),
                Arguments.of("probe.more", "tojson_string", "\"a\\\"b\" [\"sys-net\", \"sys-usb\", \"sys-firewall\"]"),
                Arguments.of("probe.more", "bool_ops", "False False x empty"),
                Arguments.of("probe.more", "string_compare", "True"),
                Arguments.of("probe.more", "items_list", "[('a', 1)]"),
                Arguments.of("probe.more", "joined_map", "['b', 'a'] 2"),
                Arguments.of("probe.more", "sorted", "[1, 2, 3] ['A', 'b', 'c'] [3, 2, 1] b,a"),
                Arguments.of("probe.more", "percent_format", "a-b 5 003.1|ab  |ff k='v' [1, 2] 100% of x"),
                Arguments.of("probe.more", "repetition", "abab [0, 0, 0] xxx 42 5.0"),
                Arguments.of("probe.more", "modulo", "1 2 -2 1.5"),
                Arguments.of("probe.more", "tuple", "(1, 'a') (1, 2) 1"),
                Arguments.of("probe.more", "exported_loads", "[22, 80] red ['alpha', 'beta']"),
                Arguments.of("probe.more", "include_tag", "included Qubes seen"),
                Arguments.of("probe.more", "strftime", "1970-01-01 00:00 1970-01-02"),
                Arguments.of("probe.more", "config_get", "lab Qubes dflt"),
                Arguments.of("probe.more", "reserved_names", "[] 5 5.0 x True"),
                Arguments.of("probe.more", "filter_by", "{'service': 'qubesd', 'extra': {'z': 0, 'b': 2}, 'pkg': 'dnf', 'memory': 300, 'prefs': [{'netvm': ''}, {'memory': 400}]} {'pkg': 'none'} lab-site"),
                Arguments.of("probe.more", "merges", "{'x': {'y': 1, 'l': [2], 'z': 2}, 'k': 1} {'x': {'y': 1, 'l': [1, 3]}, 'k': 1} {'x': {'y': 1, 'l': [1]}, 'k': 1} {'x': {'y': 1, 'l': [1]}, 'k': 2}"),
                Arguments.of("probe.more", "cmd_strip", "[x]"),
                Arguments.of("probe.more", "nested_braces", "{'a': {'b': 1}} {'a': {'b': {'c': '}}'}}} [{'x': [1]}]"),
                Arguments.of("probe.more", "power_precedence", "17.179869184 18 64 4 9 4 4"),
                Arguments.of("probe.more", "trailing_commas", "['a', 'b'] {'k': 1} (1, 2) x-y"),
                Arguments.of("probe.more", "for_else", "empty b"),
                Arguments.of("probe.more", "macro_args", "1-3-[4]-{'k': 5}"),
                Arguments.of("probe.more", "call_args", "[10][20]"),
                Arguments.of("probe.more", "for_else_filtered", "none above 5 1"),
                Arguments.of("probe.more", "yaml_long", "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,\n  23, 24, 25, 26, 27, 28, 29, a long string value that goes on and on, zürich ünïcode,\n  quote's, 'colon: inside', '', '  padded', null, true, 1.5]"),
                Arguments.of("probe.more", "yaml_long_block", "at: '@at'\ne: ''\nh: '#hash'\nk:\n- a long string value that goes on and on and on and on and on and on and on and on\nn: null\ns: '*star'\nu: zürich\ny: 'yes'"),
                Arguments.of("probe.more", "include_missing", "[] [included Qubes seen]"),
                Arguments.of("probe.more", "odict_global", "['b', 'a']"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("saltOutput")
    void featureRendersAsInSalt(String sls, String key, String expected) throws Exception {
        assertEquals(expected, rendered(sls).get(key));
    }

    private static synchronized Map<String, Object> rendered(String sls) throws RenderException {
        if (!RENDERED.containsKey(sls)) {
            SaltRenderer renderer = new SaltRenderer(Fixtures.formulaRoots());
            RENDERED.put(sls, renderer.renderSls(sls, Fixtures.context("lab-01", Fixtures.host())));
        }
        return RENDERED.get(sls);
    }
}
