include:
  - left
  - right
top-state: test.nop
