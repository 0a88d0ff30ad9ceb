{#- The qrexec policy of Split GPG: the clients' qubes.Gpg2 calls go to the key qube, every other call is denied. -#}
{%- from "split-gpg/map.jinja" import split_gpg %}
{%- set vault = split_gpg.vault %}
{%- if split_gpg.action == 'ask' %}
  {%- set default_action = 'ask default_target=' ~ vault %}
  {%- set direct_action = 'ask default_target=' ~ vault %}
{%- elif split_gpg.action == 'allow' %}
  {%- set default_action = 'allow target=' ~ vault %}
  {%- set direct_action = 'allow' %}
{%- else %}
  {{- raise('invalid pillar value split_gpg:action: ' ~ split_gpg.action ~ '; use ask or allow') }}
{%- endif %}

/etc/qubes/policy.d/30-qfleet-split-gpg.policy:
  file.managed:
    - contents: |
        # Written by qfleet's split-gpg formula; a run overwrites changes made here.
        # The clients' gpg reaches the agent in {{ vault }}; no other qube may call it.
        {%- for client in split_gpg.clients %}
        qubes.Gpg2  *  {{ client }}  @default  {{ default_action }}
        qubes.Gpg2  *  {{ client }}  {{ vault }}  {{ direct_action }}
        {%- endfor %}
        qubes.Gpg2  *  @anyvm  @anyvm  deny
    - mode: '0644'
    - makedirs: True
