"""Pages anyone may read: contests, the award gallery, the popular vote, the public notice, the privacy notice, the site's own
(and /metrics, which sits among the site's own addresses but answers only a scraper: web.infra.metrics_endpoint)."""

from __future__ import annotations

from contest.web.infra import metrics_endpoint
from contest.web.public import certificates, contests, gallery, meeting, notice, privacy, site, vote

routes = [*certificates.routes, *meeting.routes, *gallery.routes, *vote.routes, *notice.routes, *contests.routes,
          *privacy.routes, *site.routes,
          *metrics_endpoint.routes]
