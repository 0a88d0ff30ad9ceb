{#- Workload W of the fleet benchmark: three qubes, each with 4 prefs and 2 features. -#}
{%- set qubes = [
  {'name': 'bench-work', 'label': 'blue', 'netvm': 'sys-whonix', 'memory': 2000,
   'template': 'fedora-40', 'features': {'service.crond': '1', 'bench.role': 'work'}},
  {'name': 'bench-vault', 'label': 'black', 'netvm': '', 'memory': 800,
   'template': 'debian-12', 'features': {'service.crond': '0', 'bench.role': 'vault'}},
  {'name': 'bench-dev', 'label': 'purple', 'netvm': 'sys-net', 'memory': 4000,
   'template': 'fedora-40', 'features': {'service.cups': '1', 'bench.role': 'dev'}},
] %}
{%- for qube in qubes %}

{{ qube.name }}:
  qvm.vm:
    - present:
      - template: {{ qube.template }}
      - label: {{ qube.label }}
    - prefs:
      - label: {{ qube.label }}
      - netvm: "{{ qube.netvm }}"
      - memory: {{ qube.memory }}
      - template: {{ qube.template }}
    - features:
      - set:
{%- for key, value in qube.features.items() %}
        - {{ key }}: "{{ value }}"
{%- endfor %}
{%- endfor %}
