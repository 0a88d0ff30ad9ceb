{#- anon-whonix: a Whonix workstation qube whose traffic goes through sys-whonix. -#}
{%- from "qvm/template.jinja" import load -%}
{%- import "qvm/whonix.jinja" as whonix -%}

include:
  - qvm.template-whonix-workstation
  - qvm.sys-whonix

{%- load_yaml as defaults %}
name: anon-whonix
force: true
require:
  - qvm: whonix-workstation-{{ whonix.version }}
  - qvm: sys-whonix
present:
  - template: whonix-workstation-{{ whonix.version }}
  - label: red
prefs:
  - netvm: sys-whonix
tags:
  - add:
    - anon-vm
{%- endload %}

{{ load(defaults) }}
