# Use the Whonix 18 templates from the testing repository, and leave the
# updates policy alone.
whonix:
  version: 18
  repo: qubes-templates-community-testing
  updates_via_whonix: false
