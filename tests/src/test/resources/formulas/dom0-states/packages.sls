dom0-tools:
  pkg.installed:
    - pkgs:
      - qubes-usb-proxy-dom0
      - split-gpg2-dom0

qubes-input-proxy-sender:
  pkg.installed:
    - fromrepo: qubes-dom0-current-testing

qubes-template-debian-12-xfce:
  pkg.removed: []

dom0-updates:
  pkg.uptodate: []
