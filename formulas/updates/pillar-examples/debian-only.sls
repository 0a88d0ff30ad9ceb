# Update only the Debian template, every run, and leave dom0 to the Qubes
# updater.
updates:
  dom0: false
  templates:
    - debian-12-xfce
  force: true
