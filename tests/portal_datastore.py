"""DataStore loads on the running portal, done by xloader on its supervised jobs worker, as the
end-to-end and security tests wait for them."""
from __future__ import annotations

import time

import ckanapi


def wait_for_load(api: ckanapi.RemoteCKAN, resource_id: str, seconds: float = 90,
                  interval: float = 0.5) -> dict:
    """xloader's status of the resource once the load is complete or has failed; the last status
    seen when `seconds` pass first (callers assert on it, so a stuck worker shows its state)."""
    deadline = time.monotonic() + seconds
    while True:
        status = api.action.xloader_status(resource_id=resource_id)
        if status.get("status") in ("complete", "error") or time.monotonic() > deadline:
            return status
        time.sleep(interval)
