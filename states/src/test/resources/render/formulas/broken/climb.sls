{% import "../../etc/passwd" as x %}
a: 1
