{#- The management qube, which manages the tagged qubes through the Admin API instead of dom0. -#}
{%- from "mgmt-qube/map.jinja" import mgmt_qube %}

{{ mgmt_qube.name }}:
  qvm.vm:
    - present:
      {%- if mgmt_qube.template %}
      - template: {{ mgmt_qube.template }}
      {%- endif %}
      - label: {{ mgmt_qube.label }}
    - prefs:
      - label: {{ mgmt_qube.label }}
      - netvm: {{ mgmt_qube.netvm }}
