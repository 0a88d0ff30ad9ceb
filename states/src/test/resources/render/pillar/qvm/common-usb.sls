qvm:
  sys-usb:
    name: sys-usb
    mouse-action: allow
