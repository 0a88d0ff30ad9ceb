archive:
  qvm.present:
    - template: debian-12-xfce
    - label: gray
