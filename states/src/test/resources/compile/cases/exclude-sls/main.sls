include:
  - lib
exclude:
  - sls: lib
mine: test.nop
