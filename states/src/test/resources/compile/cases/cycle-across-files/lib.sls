lib-state:
  test.nop:
    - require:
      - sls: main
