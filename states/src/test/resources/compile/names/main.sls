before:
  test.succeed_without_changes:
    - require:
      - test: zulu
many:
  test.succeed_without_changes:
    - names:
      - zulu
      - alpha:
        - comment: per-name
      - mike
after:
  test.succeed_without_changes: []
