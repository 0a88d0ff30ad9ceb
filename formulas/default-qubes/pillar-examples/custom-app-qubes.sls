# Replace the default app qubes: keep work and vault, add a banking qube on
# another template, and give sys-net only the Ethernet controller.
default_qubes:
  net_devices:
    - '00:1f.6'
  app_qubes:
    work:
      label: blue
    vault:
      label: black
      prefs:
        netvm: none
    banking:
      label: green
      template: debian-12-xfce
      prefs:
        memory: 800
