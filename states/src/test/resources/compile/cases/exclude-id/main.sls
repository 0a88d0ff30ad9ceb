include:
  - lib
exclude:
  - id: lib-a
mine: test.nop
