{#- The default qubes of a Qubes OS install: sys-net, sys-firewall, default-dvm and the app qubes. -#}
include:
  - default-qubes.sys-net
  - default-qubes.sys-firewall
  - default-qubes.default-dvm
  - default-qubes.app-qubes
