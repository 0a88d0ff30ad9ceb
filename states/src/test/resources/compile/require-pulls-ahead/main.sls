needs-late:
  test.succeed_without_changes:
    - require:
      - test: late
      - id: middle
early:
  test.succeed_without_changes: []
middle:
  test.succeed_without_changes:
    - require:
      - test: deep
late:
  test.succeed_without_changes:
    - order: last
deep:
  test.succeed_without_changes:
    - order: last
