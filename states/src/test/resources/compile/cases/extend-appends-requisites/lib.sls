lib-state:
  test.succeed_without_changes:
    - require:
      - test: base-state
base-state: test.nop
