many:
  test.succeed_without_changes:
    - names:
      - first
      - second
      - third
after: test.nop
