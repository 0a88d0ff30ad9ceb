lib-a: test.nop
lib-b: test.nop
