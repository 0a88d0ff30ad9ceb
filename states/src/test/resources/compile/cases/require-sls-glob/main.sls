include:
  - lib.one
  - lib.two
user:
  test.succeed_without_changes:
    - require:
      - sls: lib.*
