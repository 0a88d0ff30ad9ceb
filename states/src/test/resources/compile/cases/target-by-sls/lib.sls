lib-a: test.succeed_without_changes
lib-b: test.fail_without_changes
