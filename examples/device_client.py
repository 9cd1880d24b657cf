"""A device client for phytowatch device protocol v1 (docs/device-protocol.md), stdlib only.

    PHYTOWATCH_URL=http://127.0.0.1:8000 PHYTOWATCH_TOKEN=pwd_... \
        python3 device_client.py JX-0031-K2 C1=56.2 C2=55.9

Readings wait in a buffer (a real device keeps it on flash) and leave it only on 200, which
means committed. 503: wait Retry-After seconds and resend; a network error: resend later.
Resending is always safe: readings already stored come back as duplicates.
"""

from __future__ import annotations

import json
import os
import sys
import time
import urllib.error
import urllib.request

URL = os.environ.get("PHYTOWATCH_URL", "http://127.0.0.1:8000") + "/api/v1/ingest"
TOKEN = os.environ["PHYTOWATCH_TOKEN"]
buffer: list[dict] = []  # readings not yet confirmed by a 200


def send(facility: str, attempts: int = 5) -> dict | None:
    """Post the buffer; on 200 drop what was sent and return the answer; else keep it."""
    batch = buffer[:5000]
    body = json.dumps({"facility": facility, "readings": batch}).encode()
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    request = urllib.request.Request(URL, body, headers)
    for _ in range(attempts):
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                answer = json.load(response)
            del buffer[: len(batch)]  # committed: safe to forget
            return answer
        except urllib.error.HTTPError as error:
            if error.code != 503:  # 401/403/413/422: resending the same will not help
                print(error.code, error.read().decode(), file=sys.stderr)
                return None
            time.sleep(float(error.headers.get("Retry-After", "5")))
        except urllib.error.URLError:
            time.sleep(10)  # offline: keep the buffer, try again later
    return None


if __name__ == "__main__":
    now = int(time.time())  # device clock, Unix seconds (UTC)
    for arg in sys.argv[2:]:
        probe, value = arg.split("=")
        buffer.append({"probe": probe, "t": now, "v": float(value)})
    print(json.dumps(send(sys.argv[1])))
