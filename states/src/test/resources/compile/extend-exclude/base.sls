base-kept:
  test.succeed_without_changes:
    - comment: original
    - require:
      - test: base-other
base-other:
  test.succeed_without_changes:
    - order: last
base-removed:
  test.succeed_without_changes: []
