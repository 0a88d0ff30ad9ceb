include:
  - lib.b
  - lib.c

main-first:
  test.succeed_without_changes: []

main-second:
  test.succeed_without_changes: []
