a: 1
b: {{ missing_name }}
