"""The designer's area (/me): entries and their images, results, certificates. `entry_images` serves the
images themselves under /media, to their designer and the contest's organisers."""

from __future__ import annotations

from contest.web.designer import certificates, entries, results

routes = [*entries.routes, *certificates.routes, *results.routes]
