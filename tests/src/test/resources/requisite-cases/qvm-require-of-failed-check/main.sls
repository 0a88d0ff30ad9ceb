ghost:
  qvm.exists: []
after-ghost:
  test.succeed_without_changes:
    - require:
      - qvm: ghost
