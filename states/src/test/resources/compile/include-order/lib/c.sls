c-one:
  test.succeed_without_changes: []
c-two:
  test:
    - succeed_without_changes
