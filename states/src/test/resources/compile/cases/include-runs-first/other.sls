other-state: test.nop
