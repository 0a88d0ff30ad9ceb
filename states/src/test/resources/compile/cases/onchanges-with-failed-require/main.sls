changed: test.succeed_with_changes
broken: test.fail_without_changes
both:
  test.succeed_without_changes:
    - onchanges:
      - test: changed
    - require:
      - test: broken
