auto-1:
  test.succeed_without_changes: []
at-last:
  test.succeed_without_changes:
    - order: last
at-first:
  test.succeed_without_changes:
    - order: first
explicit-5:
  test.succeed_without_changes:
    - order: 5
second-to-last:
  test.succeed_without_changes:
    - order: -2
explicit-20000:
  test.succeed_without_changes:
    - order: 20000
auto-2:
  test.succeed_without_changes: []
tie-b:
  test.succeed_without_changes:
    - order: 7
tie-a:
  test.succeed_without_changes:
    - order: 7
