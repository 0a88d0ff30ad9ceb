{#- Installs the Whonix workstation template and marks it for Whonix updates. -#}
{%- import "qvm/whonix.jinja" as whonix -%}

template-whonix-workstation:
  qvm.template_installed:
    - name: whonix-workstation-{{ whonix.version }}
    - fromrepo: {{ whonix.repo }}

whonix-workstation-{{ whonix.version }}:
  qvm.vm:
    - require:
      - qvm: template-whonix-workstation
    - tags:
      - add:
        - whonix-updatevm
    - features:
      - enable:
        - whonix-ws
