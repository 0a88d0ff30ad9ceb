a:
  test.nop:
    - require:
      - sls: lib
