# Let the management qube manage work and untrusted, and no longer personal.
mgmt_qube:
  managed_qubes:
    - work
    - untrusted
  unmanaged_qubes:
    - personal
