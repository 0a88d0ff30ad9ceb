{#- The Whonix gateway and workstation templates, marked so that their updates go through Whonix. -#}
{%- from "whonix/map.jinja" import whonix %}

{%- for template, feature in [(whonix.gateway, 'whonix-gw'), (whonix.workstation, 'whonix-ws')] %}

{{ template }}-installed:
  qvm.template_installed:
    - name: {{ template }}
    - fromrepo: {{ whonix.repo }}

{{ template }}:
  qvm.vm:
    - features:
      - enable:
        - {{ feature }}
    - tags:
      - add:
        - whonix-updatevm
    - require:
      - qvm: {{ template }}-installed
{%- endfor %}
