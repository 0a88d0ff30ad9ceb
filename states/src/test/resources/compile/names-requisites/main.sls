include:
  - lib.one
  - lib.two

needs-all-names:
  test.succeed_without_changes:
    - require:
      - test: many
    - order: first
many:
  test.succeed_without_changes:
    - names:
      - charlie
      - bravo:
        - order: last
      - alpha
    - require_in:
      - test: tail
tail:
  test.succeed_without_changes: []
dict-in:
  test.succeed_without_changes:
    - require_in:
        test: head
    - order: last
head:
  test.succeed_without_changes:
    - order: 1
    - require:
      - sls: 'lib.*'
