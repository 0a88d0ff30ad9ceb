prepare:
  test.succeed_with_changes:
    - prereq:
      - test: target
target:
  test.succeed_with_changes:
    - require:
      - test: needed
needed: test.succeed_without_changes
