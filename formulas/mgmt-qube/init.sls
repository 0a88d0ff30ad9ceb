{#- A management qube limited by Admin API policy to the qubes that carry a chosen tag. -#}
include:
  - mgmt-qube.qube
  - mgmt-qube.tags
  - mgmt-qube.policy
