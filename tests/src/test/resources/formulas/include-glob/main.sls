include:
  - lib.*

notes:
  qvm.present:
    - template: debian-12-xfce
    - label: purple
