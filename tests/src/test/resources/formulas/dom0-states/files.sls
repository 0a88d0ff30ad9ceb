/etc/qubes/policy.d/30-x.policy:
  file.managed:
    - contents: |
        qubes.Gpg * work vault allow
    - makedirs: True
    - mode: '0640'

/etc/qubes/policy.d/31-host.policy:
  file.managed:
    - source: salt://policy/host.policy.j2
    - template: jinja

/etc/qfleet/data:
  file.directory:
    - makedirs: True
    - mode: 750

/etc/qfleet/link:
  file.symlink:
    - target: /etc/qubes/policy.d/30-x.policy

grub-timeout:
  file.replace:
    - name: /etc/default/grub
    - pattern: '^GRUB_TIMEOUT=.*$'
    - repl: GRUB_TIMEOUT=3

grub-os-prober:
  file.append:
    - name: /etc/default/grub
    - text:
      - GRUB_DISABLE_OS_PROBER=true

notes-header:
  file.prepend:
    - name: /etc/qfleet/notes.txt
    - text: '# managed by qfleet'

/etc/qfleet/old.conf:
  file.absent: []
