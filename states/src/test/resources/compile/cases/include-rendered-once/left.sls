include:
  - shared
left-state: test.nop
