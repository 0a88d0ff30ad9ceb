member-state: test.fail_without_changes
