qubes-template-debian-12-xfce:
  pkg.removed: []

dom0-updates:
  pkg.uptodate: []
