a: 1
b: {{ grains.nokey }}
