a: test.fail_without_changes
b: test.succeed_without_changes
c:
  test.succeed_without_changes:
    - onfail_all:
      - test: a
      - test: b
