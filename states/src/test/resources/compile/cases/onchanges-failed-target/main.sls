a: test.fail_with_changes
b:
  test.succeed_without_changes:
    - onchanges:
      - test: a
