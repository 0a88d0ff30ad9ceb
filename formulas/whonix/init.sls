{#- Whonix: both templates, sys-whonix, anon-whonix and the workstation disposable template. -#}
include:
  - whonix.templates
  - whonix.sys-whonix
  - whonix.workstation-dvm
  - whonix.anon-whonix
  - whonix.updates-policy
