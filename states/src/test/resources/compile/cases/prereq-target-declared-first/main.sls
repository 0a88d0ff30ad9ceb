target: test.succeed_with_changes
other: test.nop
prepare:
  test.succeed_with_changes:
    - prereq:
      - test: target
