"""The e-supervision chain, pure: values, states and rules; time is a parameter.

- ``policy``: official policy as values (products, destination requirements, the routing matrix
  and its ratios, the classification scheme and its rules), each value tagged with its confidence;
  the files they are read from are ``phytowatch.rules``'.
- ``registry``: an enterprise's standing (class, e-supervision, key list), its bases.
- ``consignment``: a declaration's content, its versions and the consignment's states.
- ``routing``: release on documents or inspect, and the reproducible draw.
- ``assessment``: the conformity assessment and its interceptions.
"""
