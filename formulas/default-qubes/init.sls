{#- The default qubes of a Qubes OS install: sys-net, sys-firewall, default-dvm, the app qubes, and the global properties that name them. -#}
include:
  - default-qubes.sys-net
  - default-qubes.sys-firewall
  - default-qubes.default-dvm
  - default-qubes.app-qubes
  - default-qubes.global-prefs
