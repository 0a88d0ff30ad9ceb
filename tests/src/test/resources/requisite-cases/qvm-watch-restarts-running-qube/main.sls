sys-firewall-up:
  qvm.start:
    - name: sys-firewall
sys-net-memory:
  qvm.prefs:
    - name: sys-net
    - memory: 500
sys-net:
  qvm.vm:
    - prefs:
      - provides_network: True
    - watch:
      - qvm: sys-net-memory
work-label:
  qvm.prefs:
    - name: work
    - label: green
work:
  qvm.prefs:
    - label: green
    - watch:
      - qvm: work-label
