plain:
  test.succeed_without_changes: []
renamed:
  test.succeed_without_changes:
    - name: other-name
