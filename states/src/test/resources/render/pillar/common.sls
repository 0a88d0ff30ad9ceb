site: lab
qvm:
  sys-net:
    memory: 300
