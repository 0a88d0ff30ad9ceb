base:
  '*':
    - bench.workload
