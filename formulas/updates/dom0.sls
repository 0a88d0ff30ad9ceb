{#- dom0's packages, upgraded with qubes-dom0-update when it finds updates. -#}
{%- from "updates/map.jinja" import updates %}

{%- if updates.dom0 %}

dom0-up-to-date:
  pkg.uptodate:
    - refresh: True
{%- endif %}
