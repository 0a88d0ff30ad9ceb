template-state:
  test.succeed_without_changes:
    - comment: from-template
user-state:
  test.succeed_without_changes:
    - use:
      - test: template-state
own-comment:
  test.succeed_without_changes:
    - comment: mine
    - use:
      - test: template-state
giver:
  test.succeed_without_changes:
    - comment: given
    - use_in:
      - test: receiver
receiver:
  test.succeed_without_changes: []
