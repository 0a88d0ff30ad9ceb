lib-b: test.nop
