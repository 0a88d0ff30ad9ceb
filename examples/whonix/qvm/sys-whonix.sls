{#- sys-whonix: the Tor gateway qube that other qubes use as their netvm. -#}
{%- from "qvm/template.jinja" import load -%}
{%- import "qvm/whonix.jinja" as whonix -%}

include:
  - qvm.template-whonix-gateway

{%- load_yaml as defaults %}
name: sys-whonix
force: true
require:
  - qvm: whonix-gateway-{{ whonix.version }}
present:
  - template: whonix-gateway-{{ whonix.version }}
  - label: black
  - mem: 500
  - flags:
    - proxy
prefs:
  - netvm: sys-firewall
  - provides-network: true
  - autostart: true
  - memory: 500
features:
  - enable:
    - servicevm
{%- endload %}

{{ load(defaults) }}
