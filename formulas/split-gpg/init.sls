{#- Split GPG: a network-less key qube, the qrexec policy that routes clients to it, and the clients' service. -#}
include:
  - split-gpg.vault
  - split-gpg.clients
  - split-gpg.policy
