mail:
  qvm.present:
    - template: fedora-41-xfce
    - label: yellow
