lib-state:
  test.succeed_without_changes:
    - comment: original
