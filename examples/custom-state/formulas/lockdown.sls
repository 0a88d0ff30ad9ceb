vault:
  qvm.present:
    - label: black

lock vault:
  site.lockdown:
    - name: vault
    - tag: offline
    - require:
      - qvm: vault
