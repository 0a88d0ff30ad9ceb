default: test.configurable_test_state
quiet:
  test.configurable_test_state:
    - changes: False
    - result: True
    - comment: nothing to do
failing:
  test.configurable_test_state:
    - result: False
    - comment: broken
    - warnings: take care
listed-warnings:
  test.configurable_test_state:
    - changes: False
    - warnings:
      - one
      - two
