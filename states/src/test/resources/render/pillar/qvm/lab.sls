qvm:
  sys-firewall:
    disposable: true
  sys-net:
    prefs:
      - netvm: ""
      - memory: 400
