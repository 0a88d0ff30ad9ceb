model:
  test.succeed_without_changes:
    - comment: from the model
user:
  test.succeed_without_changes:
    - use:
      - test: model
own:
  test.succeed_without_changes:
    - comment: my own
    - use:
      - test: model
