sys-net:
  qvm.exists: []
sys-usb:
  qvm.exists: []
sys-net:
  qvm.exists: []
