lib-state: test.nop
