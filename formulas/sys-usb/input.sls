{#- The input proxy: USB mice, keyboards and tablets in sys-usb drive dom0's screen as the policy allows. -#}
{%- from "sys-usb/map.jinja" import sys_usb %}
{%- set actions = {'allow': 'allow', 'ask': 'ask default_target=@adminvm', 'deny': 'deny'} %}
{%- for key in ['mouse_action', 'keyboard_action', 'tablet_action'] %}
  {%- if sys_usb[key] not in actions %}
    {{- raise('invalid pillar value sys_usb:' ~ key ~ ': ' ~ sys_usb[key] ~ '; use allow, ask or deny') }}
  {%- endif %}
{%- endfor %}

{%- if sys_usb.input_proxy %}

qubes-input-proxy:
  pkg.installed: []

/etc/qubes/policy.d/45-qfleet-input.policy:
  file.managed:
    - contents: |
        # Written by qfleet's sys-usb formula; a run overwrites changes made here.
        # Input from sys-usb: mice {{ sys_usb.mouse_action }}, keyboards {{ sys_usb.keyboard_action }}, tablets {{ sys_usb.tablet_action }}.
        qubes.InputMouse     *  sys-usb  @adminvm  {{ actions[sys_usb.mouse_action] }}
        qubes.InputKeyboard  *  sys-usb  @adminvm  {{ actions[sys_usb.keyboard_action] }}
        qubes.InputTablet    *  sys-usb  @adminvm  {{ actions[sys_usb.tablet_action] }}
    - mode: '0644'
    - makedirs: True
    - require:
      - pkg: qubes-input-proxy
{%- endif %}
