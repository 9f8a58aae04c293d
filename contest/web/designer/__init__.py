"""The designer's area (/me): entries and their images, a finalist's tasks, results, certificates, the phone.
`entry_images` serves the images themselves under /media, to their designer and the contest's organisers."""

from __future__ import annotations

from contest.web.designer import certificates, entries, finalist_tasks, my_data, payouts, phone, results

routes = [*entries.routes, *finalist_tasks.routes, *certificates.routes, *results.routes, *phone.routes,
          *my_data.routes, *payouts.routes]
