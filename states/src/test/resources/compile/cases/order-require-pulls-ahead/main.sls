late:
  test.nop:
    - order: last
early:
  test.nop:
    - require:
      - test: late
middle: test.nop
