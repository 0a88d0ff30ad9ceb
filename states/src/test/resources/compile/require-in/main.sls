consumer:
  test.succeed_without_changes: []
other:
  test.succeed_without_changes: []
provider:
  test.succeed_without_changes:
    - require_in:
      - test: consumer
second-provider:
  test.succeed_without_changes:
    - require_in:
      - consumer
