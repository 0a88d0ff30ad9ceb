a: test.fail_without_changes
b: test.fail_with_changes
c:
  test.succeed_without_changes:
    - require_any:
      - test: a
      - test: b
