{#- The key qube of Split GPG: no network, so a compromise cannot send the keys away. -#}
{%- from "split-gpg/map.jinja" import split_gpg %}

{{ split_gpg.vault }}:
  qvm.vm:
    - present:
      {%- if split_gpg.template %}
      - template: {{ split_gpg.template }}
      {%- endif %}
      - label: {{ split_gpg.label }}
    - prefs:
      - label: {{ split_gpg.label }}
      - netvm: none
      - default-dispvm: none
