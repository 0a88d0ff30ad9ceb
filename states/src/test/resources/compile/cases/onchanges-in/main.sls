b: test.succeed_without_changes
a:
  test.succeed_with_changes:
    - onchanges_in:
      - test: b
