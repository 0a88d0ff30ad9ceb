a: test.succeed_without_changes
skipped:
  test.succeed_with_changes:
    - onchanges:
      - test: a
c:
  test.succeed_without_changes:
    - require:
      - test: skipped
