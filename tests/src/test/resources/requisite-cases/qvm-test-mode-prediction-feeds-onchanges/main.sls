work-label:
  qvm.prefs:
    - name: work
    - label: green
notify:
  test.succeed_with_changes:
    - onchanges:
      - qvm: work-label
