{#- The Admin API policy: the management qube may call the listed services on tagged qubes only. -#}
{%- from "mgmt-qube/map.jinja" import mgmt_qube %}

include:
  - mgmt-qube.qube

/etc/qubes/policy.d/30-qfleet-mgmt-qube.policy:
  file.managed:
    - contents: |
        # Written by qfleet's mgmt-qube formula; a run overwrites changes made here.
        # {{ mgmt_qube.name }} manages the qubes tagged {{ mgmt_qube.tag }} and reads dom0's global settings.
        {%- for call in mgmt_qube.global_calls %}
        {{ call }}  *  {{ mgmt_qube.name }}  @adminvm  allow target=@adminvm
        {%- endfor %}
        {%- for call in mgmt_qube.calls %}
        {{ call }}  *  {{ mgmt_qube.name }}  @tag:{{ mgmt_qube.tag }}  allow target=@adminvm
        {%- endfor %}
    - mode: '0644'
    - makedirs: True
    - require:
      - qvm: {{ mgmt_qube.name }}
