one: test.succeed_without_changes
