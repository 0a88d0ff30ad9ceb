include:
  - lib.*
mine: test.nop
