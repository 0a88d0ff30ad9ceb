{#- A USB qube with one PCI device per USB controller grain; the pillar may rename it. -#}
{%- from "qvm/template.jinja" import load -%}

{%- set devices = [] -%}
{%- for address in grains.get('pci_usb_devs', []) -%}
  {%- do devices.append('pci:dom0:' ~ address | replace(':', '_')) -%}
{%- endfor %}

{% load_yaml as defaults -%}
name: sys-usb
present:
  - label: red
prefs:
  - netvm: ""
  - pcidevs: {{ grains.get('pci_usb_devs', []) | yaml }}
service:
  - enable:
    - qubes-input-sender-keyboard
{%- if devices %}
features:
  - set:
    - assigned: {{ devices | join(',') }}
{%- endif %}
{%- endload %}

{{ load(defaults) }}
