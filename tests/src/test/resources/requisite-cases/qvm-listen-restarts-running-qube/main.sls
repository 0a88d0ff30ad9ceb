work-up:
  qvm.start:
    - name: work
work-label:
  qvm.prefs:
    - name: work
    - label: green
    - listen:
      - test: marker
marker: test.succeed_with_changes
