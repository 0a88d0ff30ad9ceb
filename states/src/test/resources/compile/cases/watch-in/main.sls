b: test.succeed_without_changes
a:
  test.succeed_with_changes:
    - watch_in:
      - test: b
