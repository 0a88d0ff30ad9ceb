other-one:
  test.succeed_without_changes:
    - order: last
other-two:
  test.succeed_without_changes:
    - order: last
