many:
  test.succeed_without_changes:
    - names:
      - one
      - two
after:
  test.succeed_without_changes:
    - require:
      - test: many
by-name:
  test.succeed_with_changes:
    - onchanges:
      - test: two
