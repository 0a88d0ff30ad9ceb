{% from "broken/lib.jinja" import boom %}
a: 1
b: {{ boom() }}
