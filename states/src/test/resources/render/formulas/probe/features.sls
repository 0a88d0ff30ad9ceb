{#- One key per template feature; each value is what the feature printed. -#}
{%- set data = {'zeta': 1, 'alpha': [1, 'two', None, True], 'mid': {'y': 'yes', 'x': '0644'}} %}
{%- set words = ' sys-net  sys-usb sys-firewall ' %}
{%- set names = words.split() %}
{%- import_yaml "probe/defaults.yaml" as imported_defaults %}
{%- import_json "probe/ports.json" as ports %}
{%- import_text "probe/motd.txt" as motd %}
{%- load_json as loaded_json %}{"b": [1, 2], "a": null}{% endload %}
{%- load_text as loaded_text %}  plain text  {% endload %}
{%- import "probe/macros.jinja" as macros %}
{%- from "./macros.jinja" import greet, wrap with context %}
python_repr: |-
  {{ data }}
python_none: |-
  {{ None }} {{ True }} {{ False }}
yaml_flow: |-
  {{ data | yaml }}
yaml_block: |-
  {{ data | yaml(False) | indent(2) }}
json_sorted: |-
  {{ data | json }}
tojson_ordered: |-
  {{ data | tojson }}
split: |-
  {{ names }}
split_sep: |-
  {{ 'a,b,,c'.split(',') }} {{ 'a b c'.split(' ', 1) }}
starts: |-
  {{ names | select('string') | list | length }} {{ 'sys-net'.startswith('sys-') }} {{ 'x.sls'.endswith(('.sls', '.jinja')) }}
strip_replace: |-
  [{{ words.strip() }}] [{{ 'aXbX'.replace('X', '-') }}] [{{ 'Net'.upper() }}{{ 'Net'.lower() }}]
format: |-
  {{ '{}-dvm'.format('fedora') }} {{ '{0}/{name}'.format('a', name='b') }} {{ '%s-%d' | format('x', 3) }}
loop_filter: |-
  {% for n in names if n != 'sys-usb' %}{{ loop.index }}={{ n }} {% endfor %}
loop_items: |-
  {% for k, v in data.items() if k != 'mid' %}{{ k }}:{{ v }};{% endfor %}
dict_loop: |-
  {% for k in data %}{{ k }} {% endfor %}
imported_yaml: |-
  {{ imported_defaults }}
imported_json: |-
  {{ ports }}
imported_text: |-
  {{ motd }}
loaded_json: |-
  {{ loaded_json }}
loaded_text: |-
  [{{ loaded_text }}]
namespace_var: |-
  {{ macros.site_name }} {{ macros.limits.memory }}
macro_defaults: |-
  {{ greet('qube') }} {{ greet('qube', punctuation='?') }}
macro_caller: |-
  {% call wrap('b') %}inner{% endcall %}
numbers: |-
  {{ 7 // 2 }} {{ 10 / 4 }} {{ 2 ** 10 }} {{ 2.5 | round }} {{ 3.5 | round }} {{ 2.567 | round(2) }} {{ 5 | round }} {{ '12' | int + 1 }} {{ '3.9' | int }} {{ 'x' | int }} {{ 1.0 }} {{ 1e20 }}
minmax: |-
  {{ [3, 1, 2] | max }} {{ [3, 1, 2] | min }} {{ ['b', 'a'] | max }}
tests: |-
  {{ 'x' is string }} {{ 1 is string }} {{ None is none }} {{ data is mapping }} {{ names is mapping }} {{ undefined_name is defined }} {{ data.nope is defined }} {{ data.zeta is defined }}
defaults: |-
  {{ undefined_name | default('fallback') }} {{ data.nope | default('dflt') }} {{ '' | default('empty', true) }}
indent_blank: |-
  {{ ('a\n\nb' | indent(2, blank=True) ~ '|' ~ 'a\n\nb' | indent(2) ~ '|' ~ 'a\nb' | indent(2, True)) | indent(2) }}
salt_filters: |-
  {{ 'a: b' | yaml_encode }} {{ "it's" | yaml_squote }} {{ 'x\"y' | yaml_dquote }} {{ 42 | yaml_encode }} {{ True | yaml_encode }}
regex: |-
  {{ 'abcd' | regex_search('^(.*)BC(.*)$', ignorecase=True) }} {{ 'abcd' | regex_match('b(c)') }} {{ 'lets replace spaces' | regex_replace('\\s+', '__') }} {{ 'a.b*c' | regex_escape }}
lists: |-
  {{ [1, 2, 2, 3, 1] | unique }} {{ [1, 2] | union([2, 3]) }} {{ [1, 2, 3] | intersect([2, 3, 4]) }} {{ [1, 2, 3] | difference([2]) }} {{ [1, [2, [3, None]]] | flatten }} {{ 'a' | sequence }} {{ [1] | is_list }} {{ 'a' | is_list }}
conversions: |-
  {{ 'yes' | to_bool }} {{ 'no' | to_bool }} {{ 0 | to_bool }} {{ '42' | to_num + 1 }} {{ '4.5' | to_num }} {{ "it's a" | quote }} {{ 'plain' | quote }}
paths: |-
  {{ '/srv' | path_join('salt', 'top.sls') }} {{ data | traverse('mid:x') }} {{ data | traverse('alpha:1') }} {{ data | traverse('mid:none', 'dflt') }}
hashes: |-
  {{ 'qfleet' | md5 }} {{ 'qfleet' | sha256 }} {{ 'qfleet' | base64_encode }} {{ 'cWZsZWV0' | base64_decode }}
dictsort: |-
  {{ {'b': 1, 'a': 2} | dictsort }}
list_methods: |-
  {% set l = [3, 1] %}{% do l.append(2) %}{% do l.extend([5]) %}{% do l.remove(1) %}{% do l.insert(0, 9) %}{{ l }} {{ l.pop() }} {{ l.index(3) }}
dict_methods: |-
  {% set d = {'a': 1} %}{% do d.update({'b': 2}) %}{% do d.setdefault('c', 3) %}{{ d.pop('a') }} {{ d }} {{ d.get('zz') }} {{ d.get('zz', 0) }} {{ d.keys() | list }} {{ d.values() | list }}
membership: |-
  {{ 'net' in 'sys-net' }} {{ 'a' in {'a': 1} }} {{ 2 in [1, 2] }} {{ 'x' not in names }}
tests_match: |-
  {{ 'sys-net' is match('sys-') }} {{ 'sys-net' is match('net') }} {{ 2 is equalto 2 }}
grains_pillar: |-
  {{ grains['os'] }} {{ grains.get('nothing', 'n/a') }} {{ salt['grains.get']('pci_net_devs:1') }} {{ salt['pillar.get']('qvm:sys-net:memory') }} {{ pillar.get('site') }} {{ salt['pillar.get']('no:such:key') }}|
context_vars: |-
  {{ sls }} {{ slspath }} {{ sls_path }} {{ slsdotpath }} {{ slscolonpath }} {{ tplfile }} {{ tpldir }} {{ tpldot }} {{ saltenv }} {{ opts['id'] }}
string_filter: |-
  {{ data.alpha | string }} {{ data.alpha | join(',') }} {{ data | length }} {{ names | first }} {{ names | last }} {{ names | sort | join(' ') }}
ternary: |-
  {{ 'a' if names else 'b' }} {{ 'yes' if none_var is defined else 'no' }}
set_block: |-
  {% set block %}x{{ 1 + 1 }}{% endset %}{{ block }}
