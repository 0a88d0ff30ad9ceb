work-label:
  qvm.prefs:
    - name: work
    - label: green
notify:
  test.succeed_without_changes:
    - onchanges:
      - qvm: work-label
unchanged-label:
  qvm.prefs:
    - name: personal
    - label: yellow
not-notified:
  test.succeed_without_changes:
    - onchanges:
      - qvm: unchanged-label
