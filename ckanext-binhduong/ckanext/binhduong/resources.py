"""Facts computed from an uploaded file: size, SHA-256 checksum, media type, format."""
from __future__ import annotations

import hashlib
import logging
from typing import Any

from ckanext.binhduong import vocabularies

log = logging.getLogger(__name__)
CHUNK = 1024 * 1024


def fill_upload_facts(resource: dict[str, Any]) -> None:
    upload = resource.get("upload")
    stream = getattr(upload, "stream", None)
    if stream is None or not hasattr(stream, "seek"):
        return
    digest = hashlib.sha256()
    size = 0
    stream.seek(0)
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    stream.seek(0)
    # Our own field: xloader writes an MD5 of the file into CKAN's `hash` after loading it.
    resource["sha256"] = digest.hexdigest()
    resource["size"] = size
    filename = getattr(upload, "filename", None)
    detected = vocabularies.file_type_for(filename=filename, media_type=getattr(upload, "mimetype", None))
    if detected is not None:
        if not resource.get("format"):
            resource["format"] = detected.code
        if not resource.get("mimetype"):
            resource["mimetype"] = detected.extra.get("media_type")
    log.debug("Upload %s: %d bytes, sha256 %s", filename, size, resource["sha256"])

