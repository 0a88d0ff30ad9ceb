{#- sys-firewall: the firewall qube between sys-net and the app qubes. -#}
{%- from "default-qubes/map.jinja" import default_qubes %}
{%- set disposable = default_qubes.disposable_sys_firewall %}

include:
  - default-qubes.sys-net
  {%- if disposable %}
  - default-qubes.default-dvm
  {%- endif %}

sys-firewall:
  qvm.vm:
    - present:
      {%- if disposable %}
      - class: DispVM
      - template: {{ default_qubes.dvm_name }}
      {%- elif default_qubes.template %}
      - template: {{ default_qubes.template }}
      {%- endif %}
      - label: green
      - flags:
        - proxy
    - prefs:
      - label: green
      - netvm: sys-net
      - provides-network: true
      - autostart: true
      - memory: {{ default_qubes.sys_firewall_memory }}
    - features:
      - enable:
        - servicevm
    - require:
      - qvm: sys-net
      {%- if disposable %}
      - qvm: {{ default_qubes.dvm_name }}
      {%- endif %}
