a:
  test.nop:
    - onchanges:
      - test: ghost
b:
  test.nop:
    - watch:
      - sls: no-such-sls
