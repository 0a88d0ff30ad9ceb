base:
  '*':
    - research
