work:
  test.succeed_without_changes: []
  qvm.exists: []
