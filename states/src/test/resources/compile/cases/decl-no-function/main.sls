none:
  test:
    - name: x
