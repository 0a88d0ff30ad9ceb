a:
  test.nop:
    - order: 30
b:
  test.nop:
    - order: 10
c:
  test.nop:
    - order: 20
d: test.nop
