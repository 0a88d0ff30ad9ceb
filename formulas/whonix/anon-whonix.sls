{#- anon-whonix: the Whonix workstation qube, whose traffic goes through sys-whonix. -#}
{%- from "whonix/map.jinja" import whonix %}

include:
  - whonix.templates
  - whonix.sys-whonix
  - whonix.workstation-dvm

anon-whonix:
  qvm.vm:
    - present:
      - template: {{ whonix.workstation }}
      - label: red
    - prefs:
      - template: {{ whonix.workstation }}
      - label: red
      - netvm: sys-whonix
      - default-dispvm: {{ whonix.workstation_dvm }}
    - tags:
      - add:
        - anon-vm
    - require:
      - qvm: {{ whonix.workstation }}
      - qvm: sys-whonix
      - qvm: {{ whonix.workstation_dvm }}
