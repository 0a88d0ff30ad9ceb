include:
  - lib
same-id:
  test.succeed_without_changes:
    - comment: from main
