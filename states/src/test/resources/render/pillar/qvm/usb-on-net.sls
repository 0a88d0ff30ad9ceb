include:
  - .common-usb
qvm:
  sys-usb:
    name: sys-net
