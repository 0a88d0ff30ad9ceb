prepare:
  test.succeed_with_changes:
    - prereq:
      - test: target
target: test.succeed_with_changes
