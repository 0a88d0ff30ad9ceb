nop: test.nop
ok: test.succeed_without_changes
changed: test.succeed_with_changes
failed: test.fail_without_changes
failed-changed: test.fail_with_changes
