shared-state: test.nop
