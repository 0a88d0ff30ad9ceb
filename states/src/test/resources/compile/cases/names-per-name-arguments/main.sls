many:
  test.succeed_without_changes:
    - comment: shared
    - names:
      - plain
      - special:
        - comment: own comment
