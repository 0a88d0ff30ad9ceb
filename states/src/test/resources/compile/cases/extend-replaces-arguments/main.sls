include:
  - lib
extend:
  lib-state:
    test:
      - comment: extended comment
