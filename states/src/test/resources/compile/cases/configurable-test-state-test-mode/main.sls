default: test.configurable_test_state
quiet:
  test.configurable_test_state:
    - changes: False
failing:
  test.configurable_test_state:
    - result: False
    - comment: broken
