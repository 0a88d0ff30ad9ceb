# Use a USB keyboard: keyboard input from sys-usb reaches dom0 after a prompt,
# and mice work without one. Keep the controller in 00:14.0 in dom0.
sys_usb:
  keyboard_action: ask
  mouse_action: allow
  tablet_action: allow
  usb_devices:
    - '3c:00.0'
