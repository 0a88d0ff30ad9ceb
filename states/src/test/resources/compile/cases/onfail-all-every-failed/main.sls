a: test.fail_without_changes
b: test.fail_with_changes
c:
  test.succeed_without_changes:
    - onfail_all:
      - test: a
      - test: b
