include:
  - lib
extend:
  lib-state:
    test:
      - require:
        - test: extra
extra: test.nop
