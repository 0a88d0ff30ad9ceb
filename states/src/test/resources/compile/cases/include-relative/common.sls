common-state: test.nop
