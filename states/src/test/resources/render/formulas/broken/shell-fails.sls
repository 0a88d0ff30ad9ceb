a: {{ salt["cmd.shell"]("exit 3") }}
