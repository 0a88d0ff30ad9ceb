{#- sys-whonix: the Whonix gateway qube, which sends its clients' traffic through Tor. -#}
{%- from "whonix/map.jinja" import whonix %}

include:
  - whonix.templates

sys-whonix:
  qvm.vm:
    - present:
      - template: {{ whonix.gateway }}
      - label: black
      - flags:
        - proxy
    - prefs:
      - template: {{ whonix.gateway }}
      - label: black
      - netvm: {{ whonix.netvm }}
      - provides-network: true
      - autostart: true
      - memory: 500
    - features:
      - enable:
        - servicevm
    - require:
      - qvm: {{ whonix.gateway }}
