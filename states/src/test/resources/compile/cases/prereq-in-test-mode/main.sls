prepare:
  test.succeed_with_changes:
    - prereq:
      - test: target
target: test.succeed_with_changes
quiet:
  test.succeed_with_changes:
    - prereq:
      - test: still
still: test.succeed_without_changes
