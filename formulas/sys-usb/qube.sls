{#- sys-usb: the qube that holds the host's USB controllers, so that USB devices never reach dom0. -#}
{%- from "sys-usb/map.jinja" import sys_usb %}

sys-usb:
  qvm.vm:
    - present:
      {%- if sys_usb.template %}
      - template: {{ sys_usb.template }}
      {%- endif %}
      - label: red
      - flags:
        - net
    - prefs:
      - label: red
      - netvm: none
      - virt-mode: hvm
      - autostart: true
      - memory: {{ sys_usb.memory }}
      # USB controllers often fail the strict PCI reset check, so they are assigned without it.
      - pcidevs: {{ sys_usb.usb_devices | list }}
      - pci-strictreset: false
    - features:
      - enable:
        - servicevm
    - service:
      - disable:
        # Memory balancing does not work for a qube with PCI devices.
        - meminfo-writer
