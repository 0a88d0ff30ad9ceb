{%- from "qvm/template.jinja" import load -%}
{%- import "qvm/whonix.jinja" as whonix -%}

include:
  - qvm.sys-firewall

{% load_yaml as defaults -%}
name: sys-whonix
force: True
present:
  - template: {{ whonix.gateway_template }}
  - label: black
  - mem: 500
prefs:
  - netvm: sys-firewall
  - provides-network: True
  - autostart: True
tags:
  - add:
    - whonix-gateway
features:
  - enable:
    - servicevm
require:
  - qvm: sys-firewall
{%- endload %}

{{ load(defaults) }}

whonix-repo-{{ whonix.whonix_version }}:
  test.succeed_without_changes:
    - name: {{ whonix.whonix_repo | yaml_encode }}
