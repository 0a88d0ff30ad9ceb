same-id:
  test.succeed_without_changes:
    - comment: from lib
