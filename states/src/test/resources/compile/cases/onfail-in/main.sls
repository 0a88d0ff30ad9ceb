b: test.succeed_without_changes
a:
  test.succeed_without_changes:
    - onfail_in:
      - test: b
