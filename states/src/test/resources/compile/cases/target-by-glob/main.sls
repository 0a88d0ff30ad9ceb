net-a: test.succeed_without_changes
net-b: test.fail_without_changes
user:
  test.succeed_without_changes:
    - require:
      - test: net-*
