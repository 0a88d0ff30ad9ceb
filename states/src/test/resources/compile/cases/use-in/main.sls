model:
  test.succeed_without_changes:
    - comment: pushed
    - use_in:
      - test: user
user: test.succeed_without_changes
