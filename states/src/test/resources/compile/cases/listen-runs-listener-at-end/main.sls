a: test.succeed_with_changes
b:
  test.succeed_without_changes:
    - listen:
      - test: a
c: test.nop
