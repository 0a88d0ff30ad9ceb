a:
  test.nop:
    - listen:
      - test: ghost
