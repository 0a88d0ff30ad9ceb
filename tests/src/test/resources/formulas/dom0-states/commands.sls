/etc/qfleet/trigger.conf:
  file.managed:
    - contents: v1
    - makedirs: True

build-once:
  cmd.run:
    - name: echo built > "$QUBES_SIM_ROOT/etc/qfleet/built"
    - creates: /etc/qfleet/built

greet:
  cmd.run:
    - name: echo "$GREETING from $(pwd)" > "$QUBES_SIM_ROOT/etc/qfleet/hello"
    - cwd: /tmp
    - env:
      - GREETING: hello
    - unless: grep -q hello "$QUBES_SIM_ROOT/etc/qfleet/hello"

reload:
  cmd.wait:
    - name: echo reloaded >> "$QUBES_SIM_ROOT/etc/qfleet/reloads"
    - watch:
      - file: /etc/qfleet/trigger.conf

never:
  cmd.wait:
    - name: echo never >> "$QUBES_SIM_ROOT/etc/qfleet/reloads"
