b: test.succeed_without_changes
a:
  test.fail_without_changes:
    - require_in:
      - test: b
