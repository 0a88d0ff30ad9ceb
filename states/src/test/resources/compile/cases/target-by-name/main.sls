a:
  test.fail_without_changes:
    - name: the-name
b:
  test.succeed_without_changes:
    - require:
      - test: the-name
