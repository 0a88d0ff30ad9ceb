{#- The global properties that point at the default qubes, as the Qubes installer sets them. -#}
{%- from "default-qubes/map.jinja" import default_qubes %}

{%- if default_qubes.global_prefs %}

include:
  - default-qubes.sys-net
  - default-qubes.sys-firewall
  - default-qubes.default-dvm

{%- set settings = [('clockvm', 'sys-net'), ('default_netvm', 'sys-firewall'),
                    ('updatevm', 'sys-firewall'), ('default_dispvm', default_qubes.dvm_name)] %}
{%- for property, qube in settings %}

qubes-prefs-{{ property }}:
  cmd.run:
    - name: qubes-prefs {{ property }} {{ qube }}
    - unless: test "$(qubes-prefs {{ property }})" = {{ qube }}
    - require:
      - qvm: {{ qube }}
{%- endfor %}
{%- endif %}
