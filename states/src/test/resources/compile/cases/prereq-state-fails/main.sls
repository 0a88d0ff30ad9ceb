prepare:
  test.fail_without_changes:
    - prereq:
      - test: target
target: test.succeed_with_changes
