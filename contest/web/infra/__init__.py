"""The web layer's machinery, shared by every audience: no page of its own.

Its modules import one way, each only modules listed before it (tests/web/test_web_layers.py checks it):

    cookies, headers, request_id, access (the request's log line and metrics), probes (requests machines
    make: health, readiness, metrics), server, constant_gettext, compression, limits, uploads, session,
    flash, csrf (the token), templating, errors, forms, csrf_check (the middleware), page_cache, media,
    labels, redirects, lookups, resumable, events, metrics_endpoint

Templating puts the CSRF token in forms and errors renders templates; the CSRF check answers a failure
with an error page, so it sits above both, apart from the token it checks. Nothing here imports an
audience package (auth, public, designer, judge, organiser) or `contest.web.routes`.
"""
