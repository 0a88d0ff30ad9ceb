base:
  '*':
    - qvm.sys-whonix
    - qvm.anon-whonix
