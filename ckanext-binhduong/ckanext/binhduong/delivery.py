"""How the portal's responses travel: compressed text and cache lifetimes for static files.

A phone on a slow connection pays for every byte before it sees a page: CKAN's own CSS and
JavaScript are over 1 MB uncompressed. `install(app)` adds, to CKAN's Flask app:

- compression of text responses (pages, CSS, JavaScript, JSON, SVG, RDF) with Flask-Compress
  (zstd, brotli or gzip, whichever the browser accepts). Downloads (a resource's file, the
  DataStore's CSV/XLSX exports) are sent as they are: bytes and sizes as the publisher gave.
- `Cache-Control: public, max-age=31536000, immutable` on CKAN's compiled webassets, whose
  file names carry a hash of their content (a changed file gets a new URL), and one day on the
  public folders' files (fonts, emblem, Leaflet), whose names do not change.

Both hooks run after CKAN's own `ckan_after_request` (which sets `max-age=0` on everything),
so they are put first in Flask's list: Flask runs the list backwards.

`make up` runs it from config/wsgi.py (gunicorn). The production image runs CKAN under uWSGI
behind docker/nginx.conf, which compresses (`gzip on`) and gives /webassets/ the same
lifetime, so both set-ups send the same headers."""
from __future__ import annotations

from flask import Flask, Response, request
from flask_compress import Compress

WEBASSETS_LIFETIME = 365 * 24 * 3600  # fingerprinted: the URL changes with the content
PUBLIC_FILE_LIFETIME = 24 * 3600  # fixed names: a day, so a changed font or logo shows tomorrow

COMPRESSED_TYPES = [
    "text/html",
    "text/css",
    "text/javascript",
    "application/javascript",
    "application/json",
    "application/ld+json",
    "application/xml",
    "text/xml",
    "application/rdf+xml",
    "text/turtle",
    "image/svg+xml",
]


def _cache_lifetime(response: Response) -> Response:
    if request.method not in ("GET", "HEAD") or response.status_code not in (200, 304):
        return response
    if request.endpoint == "webassets.index":
        lifetime, immutable = WEBASSETS_LIFETIME, True
    elif request.endpoint == "static":
        lifetime, immutable = PUBLIC_FILE_LIFETIME, False
    else:
        return response
    response.cache_control.no_cache = None
    response.cache_control.must_revalidate = False
    response.cache_control.private = None
    response.cache_control.public = True
    response.cache_control.max_age = lifetime
    response.cache_control.immutable = immutable
    return response


def install(app: Flask) -> None:
    """Add compression and cache lifetimes to CKAN's Flask app (before its first request)."""
    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESSED_TYPES)
    app.config.setdefault("COMPRESS_REGISTER", False)  # registered below, in the right place
    app.config.setdefault("COMPRESS_MIN_SIZE", 1024)
    # Files served by Flask are streamed; gzip too for a client without zstd or brotli.
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["zstd", "br", "gzip"])
    app.config.setdefault("COMPRESS_STREAMING_ENDPOINT_CONDITIONAL", ["static", "webassets.index"])
    compress = Compress(app)

    def _compress(response: Response) -> Response:
        endpoint = request.endpoint or ""
        if endpoint.endswith(".download") or endpoint.startswith("datastore."):
            return response
        return compress.after_request(response)

    hooks = app.after_request_funcs.setdefault(None, [])
    # Flask runs these last-registered first: the compressor runs last of all, on the
    # final body; the lifetimes just before it, after CKAN's max-age=0.
    hooks[0:0] = [_compress, _cache_lifetime]
