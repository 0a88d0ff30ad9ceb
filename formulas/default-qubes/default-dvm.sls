{#- default-dvm: the template of the host's disposables. -#}
{%- from "default-qubes/map.jinja" import default_qubes %}

{{ default_qubes.dvm_name }}:
  qvm.vm:
    - present:
      {%- if default_qubes.template %}
      - template: {{ default_qubes.template }}
      {%- endif %}
      - label: red
    - prefs:
      - label: red
      - template-for-dispvms: true
    - features:
      - enable:
        - appmenus-dispvm
