target:
  test.succeed_with_changes:
    - prereq_in:
      - test: prepare
prepare: test.succeed_with_changes
