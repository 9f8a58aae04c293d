"""Pages anyone may read: contests, the award gallery, the popular vote, the public notice, the site's own."""

from __future__ import annotations

from contest.web.public import contests, gallery, meeting, notice, site, vote

routes = [*meeting.routes, *gallery.routes, *vote.routes, *notice.routes, *contests.routes, *site.routes]
