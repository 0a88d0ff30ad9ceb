{#- The app qubes listed in default_qubes:app_qubes (personal, work, untrusted and vault by default). -#}
{%- from "default-qubes/map.jinja" import default_qubes %}

include:
  - default-qubes.sys-firewall

{%- for name, qube in default_qubes.app_qubes.items() %}

{{ name }}:
  qvm.vm:
    - present:
      {%- if qube.get('template', default_qubes.template) %}
      - template: {{ qube.get('template', default_qubes.template) }}
      {%- endif %}
      - label: {{ qube.label }}
    - prefs:
      - label: {{ qube.label }}
      {%- for property, value in qube.get('prefs', {}).items() %}
      - {{ property }}: {{ value }}
      {%- endfor %}
    - require:
      - qvm: sys-firewall
{%- endfor %}
