a: 1
{% if grains.os == "Qubes" %}
b: 2
