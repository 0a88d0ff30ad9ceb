include:
  - group
user:
  test.succeed_without_changes:
    - require:
      - sls: group
