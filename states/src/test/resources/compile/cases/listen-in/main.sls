a:
  test.succeed_with_changes:
    - listen_in:
      - test: b
b: test.succeed_without_changes
c: test.nop
