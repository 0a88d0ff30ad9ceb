{#- The disposable template of Whonix workstations: disposables started from it go through sys-whonix. -#}
{%- from "whonix/map.jinja" import whonix %}

include:
  - whonix.templates
  - whonix.sys-whonix

{{ whonix.workstation_dvm }}:
  qvm.vm:
    - present:
      - template: {{ whonix.workstation }}
      - label: red
    - prefs:
      - template: {{ whonix.workstation }}
      - label: red
      - netvm: sys-whonix
      - template-for-dispvms: true
      - default-dispvm: {{ whonix.workstation_dvm }}
    - features:
      - enable:
        - appmenus-dispvm
    - tags:
      - add:
        - anon-vm
    - require:
      - qvm: {{ whonix.workstation }}
      - qvm: sys-whonix
