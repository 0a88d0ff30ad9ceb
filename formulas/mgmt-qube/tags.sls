{#- The tag that puts a qube under the management qube, added and removed as pillar lists them. -#}
{%- from "mgmt-qube/map.jinja" import mgmt_qube %}

{%- for qube in mgmt_qube.managed_qubes %}

{{ qube }}-{{ mgmt_qube.tag }}:
  qvm.tags:
    - name: {{ qube }}
    - add:
      - {{ mgmt_qube.tag }}
{%- endfor %}

{%- for qube in mgmt_qube.unmanaged_qubes %}

{{ qube }}-not-{{ mgmt_qube.tag }}:
  qvm.tags:
    - name: {{ qube }}
    - del:
      - {{ mgmt_qube.tag }}
{%- endfor %}
