ghost:
  qvm.exists: []
recover:
  test.succeed_with_changes:
    - onfail:
      - qvm: ghost
