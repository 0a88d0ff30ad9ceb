short: test.nop
dotted:
  test.succeed_without_changes:
    - comment: dotted key
listed:
  test:
    - succeed_with_changes
    - name: listed-name
