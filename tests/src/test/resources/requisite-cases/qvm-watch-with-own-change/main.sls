work-label:
  qvm.prefs:
    - name: work
    - label: green
personal-label:
  qvm.prefs:
    - name: personal
    - label: orange
    - watch:
      - qvm: work-label
