a:
  test.nop:
    - require:
      - test: c
b:
  test.nop:
    - watch:
      - test: a
c:
  test.nop:
    - onchanges:
      - test: b
