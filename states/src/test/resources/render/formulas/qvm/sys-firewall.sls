{%- from "qvm/template.jinja" import load -%}
{%- set netvm = salt.pillar.get('qvm:sys-net:name', 'sys-net') %}

include:
  - qvm.sys-net
{%- if salt['pillar.get']('qvm:sys-firewall:disposable', False) %}
  - qvm.default-dispvm
{%- endif %}
{%- for extra in pillar.get('extra_includes', []) if extra.startswith('qvm.') %}
  - {{ extra }}
{%- endfor %}

{% load_yaml as defaults -%}
name: sys-firewall
present:
  - label: green
prefs:
  - netvm: {{ netvm }}
  - autostart: True
  - provides-network: True
  - memory: 500
features:
  - enable:
    - servicevm
require:
  - qvm: {{ netvm }}
{%- endload %}

{{ load(defaults) }}
