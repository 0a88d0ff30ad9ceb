include:
  - nothing.*
mine: test.nop
