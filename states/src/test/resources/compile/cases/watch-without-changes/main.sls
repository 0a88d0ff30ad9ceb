a: test.succeed_without_changes
b:
  test.succeed_without_changes:
    - watch:
      - test: a
