"""Synthetic customers with ground truth, and the measures that score a resolution against it.

`generator` makes people seen through many channels (web, app, CRM, newsletter, call centre,
shop) with the noise real data has; `evaluation` scores a partition of identifiers into
profiles against who really is who.

`generator` is the public entry point. Behind it: `pools` (names, addresses, domains),
`households` (who the people are), `noise` (variants, typos, junk, invalid records) and
`channels` (what each channel records, and the truth).
"""
