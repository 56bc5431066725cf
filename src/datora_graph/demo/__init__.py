"""Synthetic customers with ground truth, and the measures that score a resolution against it.

`generator` makes people seen through many channels (web, app, CRM, newsletter, call centre,
shop) with the noise real data has; `evaluation` scores a partition of identifiers into
profiles against who really is who.
"""
