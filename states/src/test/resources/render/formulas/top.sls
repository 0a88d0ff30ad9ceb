base:
  dom0:
    - match: nodegroup
    - qvm.sys-net
