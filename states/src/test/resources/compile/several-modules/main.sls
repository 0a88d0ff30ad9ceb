mixed:
  test.succeed_without_changes: []
  file:
    - exists
    - name: /tmp
plain-first:
  cmd:
    - run
    - name: "true"
  test.nop: []
