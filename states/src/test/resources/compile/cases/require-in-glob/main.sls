net-a: test.succeed_without_changes
net-b: test.succeed_without_changes
first:
  test.fail_without_changes:
    - require_in:
      - test: net-*
