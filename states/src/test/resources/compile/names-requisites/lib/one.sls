lib-one:
  test.succeed_without_changes:
    - order: last
