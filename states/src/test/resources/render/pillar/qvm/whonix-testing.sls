qvm:
  whonix:
    repo: qubes-templates-community-testing
    version: {{ 17 }}
