include:
  - lib
  - other
mine: test.nop
