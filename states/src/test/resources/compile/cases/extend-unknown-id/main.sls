extend:
  nowhere:
    test:
      - comment: x
mine: test.nop
