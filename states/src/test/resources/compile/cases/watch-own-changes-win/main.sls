a: test.succeed_with_changes
b:
  test.succeed_with_changes:
    - watch:
      - test: a
