{#- The USB qube: sys-usb with the host's USB controllers, and the input proxy for USB mice and keyboards. -#}
include:
  - sys-usb.qube
  - sys-usb.input
