# Use a USB keyboard through sys-usb: its input reaches dom0 after a prompt,
# and mice and tablets work without one. sys-usb gets only the controller in
# 00:14.0, so a keyboard on any other controller stays with dom0.
sys_usb:
  keyboard_action: ask
  mouse_action: allow
  tablet_action: allow
  usb_devices:
    - '00:14.0'
