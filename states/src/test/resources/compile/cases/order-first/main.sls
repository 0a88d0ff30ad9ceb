a: test.nop
b:
  test.nop:
    - order: first
c: test.nop
