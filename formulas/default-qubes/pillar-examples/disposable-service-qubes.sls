# Make sys-net and sys-firewall named disposables based on default-dvm, so
# that each start begins from a clean root and home. This applies when the
# formula creates them; remove existing AppVM ones first to convert them.
default_qubes:
  disposable_sys_net: true
  disposable_sys_firewall: true
