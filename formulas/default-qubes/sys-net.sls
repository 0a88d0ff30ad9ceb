{#- sys-net: the network qube, which holds the host's network controllers. -#}
{%- from "default-qubes/map.jinja" import default_qubes %}
{%- set disposable = default_qubes.disposable_sys_net %}

{%- if disposable %}
include:
  - default-qubes.default-dvm
{%- endif %}

sys-net:
  qvm.vm:
    - present:
      {%- if disposable %}
      - class: DispVM
      - template: {{ default_qubes.dvm_name }}
      {%- elif default_qubes.template %}
      - template: {{ default_qubes.template }}
      {%- endif %}
      - label: red
      - flags:
        - net
    - prefs:
      - label: red
      - netvm: none
      - provides-network: true
      - virt-mode: hvm
      - autostart: true
      - memory: {{ default_qubes.sys_net_memory }}
      - pcidevs: {{ default_qubes.net_devices | list }}
    - features:
      - enable:
        - servicevm
    - service:
      - disable:
        # Memory balancing does not work for a qube with PCI devices.
        - meminfo-writer
    {%- if disposable %}
    - require:
      - qvm: {{ default_qubes.dvm_name }}
    {%- endif %}
