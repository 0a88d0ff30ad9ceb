a: {{ salt["qvm.check"]("sys-net", "missing").passed() }}
b: {{ salt["no.such"]("x") }}
