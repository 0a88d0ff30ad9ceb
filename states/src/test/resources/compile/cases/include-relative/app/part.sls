part-state: test.nop
