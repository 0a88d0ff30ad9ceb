user:
  test.succeed_without_changes:
    - require:
      - test: late
late:
  test.fail_without_changes:
    - order: last
    - failhard: True
other: test.nop
