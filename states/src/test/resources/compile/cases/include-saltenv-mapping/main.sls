include:
  - base: lib
mine: test.nop
