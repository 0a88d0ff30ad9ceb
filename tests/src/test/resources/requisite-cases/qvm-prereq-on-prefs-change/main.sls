before-relabel:
  test.succeed_with_changes:
    - prereq:
      - qvm: work-label
work-label:
  qvm.prefs:
    - name: work
    - label: green
before-nothing:
  test.succeed_with_changes:
    - prereq:
      - qvm: personal-label
personal-label:
  qvm.prefs:
    - name: personal
    - label: yellow
