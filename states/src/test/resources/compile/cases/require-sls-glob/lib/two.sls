two: test.fail_without_changes
