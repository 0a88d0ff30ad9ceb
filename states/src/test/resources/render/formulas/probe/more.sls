{%- set names = ['sys-net', 'sys-usb', 'sys-firewall'] %}
{%- set vms = [{'name': 'a', 'mem': 400}, {'name': 'b', 'mem': 300}] %}
loop_vars: |-
  {% for n in names %}{{ loop.index0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}{{ loop.revindex }} {% endfor %}
loop_controls: |-
  {% for n in names %}{% if loop.index == 2 %}{% continue %}{% endif %}{{ n }} {% if loop.index == 3 %}{% break %}{% endif %}{% endfor %}
ranges: |-
  {{ range(3) | list }} {{ range(1, 4) | list }} {{ 3 in range(5) }}
concat: |-
  {{ names + ['x'] }} {{ 'a' ~ 1 }} {{ 'a' + 'b' }} {{ 10 % 3 }}
namespace: |-
  {% set ns = namespace(total=0) %}{% for vm in vms %}{% set ns.total = ns.total + vm.mem %}{% endfor %}{{ ns.total }}
attr_filters: |-
  {{ vms | selectattr('mem', 'equalto', 300) | map(attribute='name') | list }} {{ vms | map(attribute='mem') | sum }} {{ vms | rejectattr('name', 'equalto', 'a') | list }}
filter_block: |-
  {% filter upper %}shout{% endfilter %}
raw: |-
  {% raw %}{{ kept }}{% endraw %}
indexing: |-
  {{ 'abc'[0] }} {{ 'abc'[1:] }} {{ names[-1] }} {{ names[:2] }}
multi_set: |-
  {% set a, b = 1, 2 %}{{ a }}{{ b }}
string_filters: |-
  {{ 'hello world' | title }} {{ 'hello' | capitalize }} {{ '  x  ' | trim }} {{ 'a-b' | replace('-', '_') }} {{ 'x' | center(5) }}|
with_block: |-
  {% with inner = 5 %}{{ inner }}{% endwith %}
tests_more: |-
  {{ 6 is divisibleby 3 }} {{ 3 is odd }} {{ names is sequence }} {{ names is iterable }} {{ 1 is number }} {{ none is none }}
none_compare: |-
  {{ None == None }} {{ salt['pillar.get']('nothing', None) is none }} {{ pillar.get('nothing') is none }}
cmd_run: |-
  {{ salt['cmd.run']('echo hi') }}
tojson_string: |-
  {{ 'a"b' | tojson }} {{ names | tojson }}
bool_ops: |-
  {{ not True }} {{ True and False }} {{ 0 or 'x' }} {{ [] or 'empty' }}
string_compare: |-
  {{ 'b' > 'a' }}
items_list: |-
  {{ {'a': 1}.items() | list }}
joined_map: |-
  {{ {'b': 1, 'a': 2} | list }} {{ {'b': 1, 'a': 2} | length }}
sorted: |-
  {{ [3, 1, 2] | sort }} {{ ['b', 'A', 'c'] | sort }} {{ [3, 1, 2] | sort(reverse=true) }} {{ vms | sort(attribute='mem') | map(attribute='name') | join(',') }}
percent_format: |-
  {{ "%s-%s" % ('a', 'b') }} {{ "%d" % 5 }} {{ "%05.1f|%-4s|%x" % (3.14159, 'ab', 255) }} {{ "%(name)s=%(value)r" % {'name': 'k', 'value': 'v'} }} {{ "%s" % [1, 2] }} {{ "100%% of %s" % "x" }}
repetition: |-
  {{ 'ab' * 2 }} {{ [0] * 3 }} {{ 3 * 'x' }} {{ 6 * 7 }} {{ 2.5 * 2 }}
modulo: |-
  {{ 7 % 3 }} {{ -7 % 3 }} {{ 7 % -3 }} {{ 7.5 % 2 }}
tuple: |-
  {{ (1, 'a') }} {% set t = (1, 2) %}{{ t }} {{ t[0] }}
exported_loads: |-
  {% from "probe/exports.jinja" import loaded_map, imported_map, loaded_words %}{{ loaded_map.ports }} {{ imported_map.label }} {{ loaded_words.split() }}
include_tag: |-
  {% set local_value = 'seen' %}{% include "probe/snippet.txt" %}
strftime: |-
  {{ 0 | strftime('%Y-%m-%d %H:%M') }} {{ 86400 | strftime }}
config_get: |-
  {{ salt['config.get']('site') }} {{ salt['config.get']('os') }} {{ salt['config.get']('nothing', 'dflt') }}
reserved_names: |-
  {% set empty = [] %}{% set div = 2 %}{% set gt = 'x' %}{{ empty }} {{ 10 // div }} {{ 10 / div }} {{ gt }} {{ empty is defined }}
filter_by: |-
  {% from "probe/map.jinja" import os_map, fallback, by_pillar %}{{ os_map }} {{ fallback }} {{ by_pillar }}
merges: |-
  {% set a = {'x': {'y': 1, 'l': [1]}, 'k': 1} %}{{ salt['slsutil.merge'](a, {'x': {'z': 2, 'l': [2]}}) }} {{ salt['slsutil.merge'](a, {'x': {'l': [1, 3]}}, merge_lists=True) }} {{ a }} {% do salt['defaults.merge'](a, {'k': 2}) %}{{ a }}
cmd_strip: |-
  [{{ salt['cmd.run']('printf "x  \\n\\n"') }}]
nested_braces: |-
  {{ {'a': {'b': 1}} }} {% set n = {'a': {'b': {'c': '}}'}}} %}{{ n }} {{ [{'x': [1]}] }}
power_precedence: |-
  {{ 16384 * 2**20 / 10**9 }} {{ 2 * 3 ** 2 }} {{ 2 ** 3 ** 2 }} {{ -2 ** 2 }} {{ 7 // 2 * 3 }} {{ 10 % 4 * 2 }} {{ [1, 2] | length * 2 }}
trailing_commas: |-
  {{ ['a', 'b',] }} {{ {'k': 1,} }} {{ (1, 2,) }} {{ 'x-{}'.format('y',) }}
for_else: |-
  {% for i in [] %}{{ i }}{% else %}empty{% endfor %} {% if false %}a{% elif true %}b{% else %}c{% endif %}
macro_args: |-
  {% macro m(a, b=2) %}{{ a }}-{{ b }}-{{ varargs | list }}-{{ kwargs }}{% endmacro %}{{ m(1, 3, 4, k=5) }}
call_args: |-
  {% macro lister(items) %}{% for i in items %}[{{ caller(i) }}]{% endfor %}{% endmacro %}{% call(item) lister([1, 2]) %}{{ item * 10 }}{% endcall %}
for_else_filtered: |-
  {% for i in [1, 2] if i > 5 %}{{ i }}{% else %}none above 5{% endfor %} {% for i in [1] %}{{ i }}{% else %}never{% endfor %}
yaml_long: |-
  {{ (range(30) | list + ['a long string value that goes on and on', 'zürich ünïcode', "quote's", 'colon: inside', '', '  padded', None, True, 1.5]) | yaml | indent(2) }}
yaml_long_block: |-
  {{ {'k': ['a long string value that goes on and on and on and on and on and on and on and on'], 'u': 'zürich', 'n': none, 'e': '', 'y': 'yes', 's': '*star', 'h': '#hash', 'at': '@at'} | yaml(False) | indent(2) }}
include_missing: |-
  [{% include "probe/absent.txt" ignore missing %}] [{% include "probe/snippet.txt" ignore missing %}]
odict_global: |-
  {% set o = odict() %}{% do o.update({'b': 1}) %}{% do o.update({'a': 2}) %}{{ o | list }}
