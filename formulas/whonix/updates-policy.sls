{#- Updates of the qubes tagged whonix-updatevm (the Whonix templates) go through sys-whonix, never in the clear. -#}
{%- from "whonix/map.jinja" import whonix %}
{%- set policy = '/etc/qubes/policy.d/40-qfleet-whonix-updates.policy' %}

{%- if whonix.updates_via_whonix %}

{{ policy }}:
  file.managed:
    - contents: |
        # Written by qfleet's whonix formula; a run overwrites changes made here.
        qubes.UpdatesProxy  *  @tag:whonix-updatevm  @default  allow target=sys-whonix
        qubes.UpdatesProxy  *  @tag:whonix-updatevm  @anyvm  deny
    - mode: '0644'
    - makedirs: True
{%- else %}

{{ policy }}:
  file.absent: []
{%- endif %}
