colon:
  test.nop:
