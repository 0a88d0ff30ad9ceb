lib-init: test.nop
