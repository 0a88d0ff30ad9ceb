lib-two:
  test.succeed_without_changes:
    - order: -5
