{% import "broken/nothere.jinja" as x %}
a: 1
