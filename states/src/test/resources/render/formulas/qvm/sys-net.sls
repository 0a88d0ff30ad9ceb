# -*- coding: utf-8 -*-
{#- A network qube with the machine's network cards. -#}
{%- from "qvm/template.jinja" import load -%}

{%- set default_template = salt['cmd.shell']('qubes-prefs default-template') -%}
{%- set disposable = salt['pillar.get']('qvm:sys-net:disposable', False) %}

{%- if disposable %}
include:
  - qvm.default-dispvm
{%- endif %}

{% load_yaml as defaults -%}
name: sys-net
present:
  - label: red
{%- if disposable %}
  - class: DispVM
  - template: default-dvm
{%- else %}
  - template: {{ default_template }}
{%- endif %}
  - flags:
    - net
prefs:
  - netvm: ""
  - virt_mode: hvm
  - autostart: True
  - provides-network: True
  - memory: 300
  - pcidevs: {{ salt['grains.get']('pci_net_devs', []) | yaml }}
features:
  - enable:
    - servicevm
service:
  - enable:
    - clocksync
  - disable:
    - meminfo-writer
{%- if disposable %}
require:
  - qvm: default-dvm
{%- endif %}
{%- endload %}

{{ load(defaults) }}
