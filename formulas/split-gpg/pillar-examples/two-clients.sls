# Keep the keys in a qube named gpg-keys and let work and personal use them
# without a prompt.
split_gpg:
  vault: gpg-keys
  clients:
    - work
    - personal
  action: allow
