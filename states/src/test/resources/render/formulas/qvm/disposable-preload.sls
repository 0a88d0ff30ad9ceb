{#- Preload disposables in proportion to the machine's memory. -#}
{%- set total_memory = salt['cmd.shell']('xl info total_memory') | int -%}
{%- set threshold = ((total_memory / 4096) | round(0, 'floor') | int) -%}
{%- set preload = [[threshold, 1] | max, 4] | min %}

dom0-preload:
  qvm.vm:
    - name: dom0
    - features:
      - set:
        - preload-dispvm-threshold: {{ (total_memory * 0.1) | round | int }}
        - preload-dispvm-max: {{ preload }}
