include:
  - shared
right-state: test.nop
