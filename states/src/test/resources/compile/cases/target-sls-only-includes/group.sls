include:
  - member
