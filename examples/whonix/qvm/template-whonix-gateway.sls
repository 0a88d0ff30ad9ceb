{#- Installs the Whonix gateway template and marks it for Whonix updates. -#}
{%- import "qvm/whonix.jinja" as whonix -%}

template-whonix-gateway:
  qvm.template_installed:
    - name: whonix-gateway-{{ whonix.version }}
    - fromrepo: {{ whonix.repo }}

whonix-gateway-{{ whonix.version }}:
  qvm.vm:
    - require:
      - qvm: template-whonix-gateway
    - tags:
      - add:
        - whonix-updatevm
    - features:
      - enable:
        - whonix-gw
