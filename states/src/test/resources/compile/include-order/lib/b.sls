include:
  - .d

b-one:
  test.succeed_without_changes: []
