/etc/none/x.conf:
  file.managed:
    - contents: x

boom:
  cmd.run:
    - name: echo boom >&2; exit 3

no-such-package:
  pkg.installed: []

/etc/qfleet/notes.txt:
  file.symlink:
    - target: /etc/qfleet/elsewhere

/etc/qfleet/missing.conf:
  file.replace:
    - pattern: a
    - repl: b

/etc/default/grub:
  file.directory: []

/etc/none/appended.conf:
  file.append:
    - text: x

after-boom:
  cmd.wait:
    - name: echo never
    - watch:
      - cmd: boom
