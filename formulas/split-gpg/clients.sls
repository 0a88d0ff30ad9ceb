{#- The client qubes of Split GPG: their gpg talks to the key qube's agent over qrexec. -#}
{%- from "split-gpg/map.jinja" import split_gpg %}

include:
  - split-gpg.vault

{%- for client in split_gpg.clients %}

{{ client }}-split-gpg-client:
  qvm.service:
    - name: {{ client }}
    - enable:
      - split-gpg2-client
    - require:
      - qvm: {{ split_gpg.vault }}
{%- endfor %}
