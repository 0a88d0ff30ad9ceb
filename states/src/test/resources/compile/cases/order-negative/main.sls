a:
  test.nop:
    - order: -1
b:
  test.nop:
    - order: -2
c: test.nop
d:
  test.nop:
    - order: last
