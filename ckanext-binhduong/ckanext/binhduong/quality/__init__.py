"""Data quality and freshness of the catalogue (issue 18).

- ``mqa``: the Metadata Quality Assessment score of data.europa.eu (five dimensions, 405
  points, ratings), computed from a dataset dict, link checks and SHACL conformance: pure.
- ``freshness``: declared update frequency against the last real update, the legal
  deadlines (review every six months, updates within three months): pure.
- ``links``: reachability of access and download URLs through the one outbound policy,
  throttled per host.
- ``store``: the stored scores and link checks (tables of the Alembic migration).
- ``actions``, ``auth``, ``views``, ``cli``, ``helpers``: the portal's API, pages and command.
"""
