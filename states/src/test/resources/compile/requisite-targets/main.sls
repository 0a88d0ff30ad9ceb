include:
  - other

by-glob:
  test.succeed_without_changes:
    - require:
      - test: 'net-*'
by-name:
  test.succeed_without_changes:
    - require:
      - test: the-name
by-sls:
  test.succeed_without_changes:
    - require:
      - sls: other
net-a:
  test.succeed_without_changes:
    - order: last
named-state:
  test.succeed_without_changes:
    - name: the-name
    - order: last
net-b:
  test.succeed_without_changes:
    - order: last
