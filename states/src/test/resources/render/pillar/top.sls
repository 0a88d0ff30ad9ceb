base:
  '*':
    - common
  'lab-*':
    - match: glob
    - qvm.lab
  'lab-01,lab-07':
    - match: list
    - qvm.usb-on-net
  'lab-0[0-9]$':
    - match: pcre
    - qvm.whonix-testing
{%- if grains.get('os') == 'Qubes' %}
  'lab-0*':
    - qvm.marker
{%- endif %}
