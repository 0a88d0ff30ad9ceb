include:
  - .part
  - ..common
app-state: test.nop
