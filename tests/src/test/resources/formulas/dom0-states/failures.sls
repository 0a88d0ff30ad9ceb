/etc/none/x.conf:
  file.managed:
    - contents: x

boom:
  cmd.run:
    - name: echo boom >&2; exit 3

no-such-package:
  pkg.installed: []
