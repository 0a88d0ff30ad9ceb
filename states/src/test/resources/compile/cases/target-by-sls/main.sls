include:
  - lib
user:
  test.succeed_without_changes:
    - require:
      - sls: lib
