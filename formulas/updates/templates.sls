{#- The templates, each updated with qubes-vm-update when it reports available updates (or always, with force). -#}
{%- from "updates/map.jinja" import updates %}

{%- for template in updates.templates %}
  {%- if template not in updates.skip %}

update-{{ template }}:
  cmd.run:
    {%- if updates.force %}
    - name: qubes-vm-update --force-update --targets {{ template }}
    {%- else %}
    - name: qubes-vm-update --update-if-available --targets {{ template }}
    # The template's updates-available feature is 1 while its update check found updates.
    - onlyif: test "$(qvm-features {{ template }} updates-available 2>/dev/null)" = 1
    {%- endif %}
  {%- endif %}
{%- endfor %}
