a: test.succeed_with_changes
first:
  test.succeed_without_changes:
    - listen:
      - test: a
second:
  test.nop:
    - listen:
      - test: a
