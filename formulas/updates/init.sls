{#- Updates: dom0 and the templates brought up to date. -#}
include:
  - updates.dom0
  - updates.templates
