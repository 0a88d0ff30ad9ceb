include:
  - base
  - dropped

exclude:
  - sls: dropped
  - id: base-removed

extend:
  base-kept:
    test:
      - comment: extended
      - require:
        - test: main-one

main-one:
  test.succeed_without_changes:
    - order: last
