{#- On lab-02 the netvm is misspelt, so that host fails and the others do not. -#}
research-qube:
  qvm.present:
    - name: research
    - template: fedora-41-xfce
    - label: purple

research-network:
  qvm.prefs:
    - name: research
    - netvm: {{ 'sys-firewal' if grains['id'] == 'lab-02' else 'sys-firewall' }}
    - require:
      - qvm: research-qube

research-features:
  qvm.features:
    - name: research
    - enable:
      - service.crond
    - require:
      - qvm: research-network

scratch:
  qvm.present:
    - template: debian-12-xfce
    - label: gray
