marker: {{ grains['id'] }}-{{ grains.os | lower }}
