lib-a: test.nop
