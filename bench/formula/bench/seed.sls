{#- Gives a simulated host the templates and the netvm that workload W names, as the
    benchmark's OpenSSH hosts have them from their seed state. -#}
{%- for template in ['debian-12', 'fedora-40'] %}
{{ template }}:
  qvm.present:
    - class: TemplateVM
    - label: black
{%- endfor %}

sys-whonix:
  qvm.present:
    - template: debian-12
    - label: black
    - flags:
      - proxy
    - require:
      - qvm: debian-12
