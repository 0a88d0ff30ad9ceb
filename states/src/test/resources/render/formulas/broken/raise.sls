a: 1
{{ raise("custom failure") }}
