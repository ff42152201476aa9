"""Records for scripts/conformance to fuzz against, so generated requests reach the
handlers' logic and not only a 404: an RMA with a photo, one to authorize, reject and
cancel, a refund trigger from a passed inspection, an unmatched parcel and an open
incident. Made through the API (and one carrier poll) on the demo data; prints
shell `export` lines naming them, which schemathesis.toml reads.

Usage: fixtures.py BASE_URL API_KEY  (DATABASE_URL and BACKHAUL__* in the environment
are passed on to `backhaul poll`)
"""

import json
import subprocess
import sys
import urllib.request
from datetime import datetime, timedelta, timezone

BASE, KEY = sys.argv[1].rstrip("/"), sys.argv[2]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def call(method, path, body=None, content_type="application/json"):
    data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        f"{BASE}/api/v1{path}",
        data=data,
        method=method,
        headers={"Authorization": f"Bearer {KEY}", "Content-Type": content_type},
    )
    with urllib.request.urlopen(request) as answer:
        return json.load(answer)


def rma(line_id, reason="changed_mind"):
    lines = [{"line_id": line_id, "quantity": 1, "reason": reason}]
    body = {"order_number": "DEMO-1001", "lines": lines, "resolution": "refund"}
    return call("POST", "/rmas", body)["number"]


def sandbox_number(scenario_digit, created_at, unique):
    """A sandbox tracking number, as carriers/src/sandbox.rs encodes one."""
    epoch = datetime(2026, 1, 1, tzinfo=timezone.utc)
    hours = int((created_at - epoch).total_seconds() // 3600)
    body = f"{scenario_digit}{hours:07d}{unique:06d}"
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return f"SBX{body}{(10 - total % 10) % 10}"


# Returned, received and inspected: its refund trigger waits for finance.
returned = rma("1")
label = call("POST", f"/rmas/{returned}/label", {})
call("POST", "/scans", {"barcode": label["tracking_number"], "station": "bench-1"})
inspection = {
    "lines": [
        {"line_id": "1", "quantity_received": 1, "condition": "new", "disposition": "restock"}
    ]
}
refund = call("POST", f"/rmas/{returned}/inspection", inspection)["refund"]["id"]

# Open, with a photo: the one every `{number}` operation is tried on.
open_rma = rma("2")
photo = call("POST", f"/rmas/{open_rma}/photos", PNG, "image/png")["id"]
# For the transitions, which close it.
to_close = rma("3")

parcel = call("POST", "/scans", {"barcode": "ZZ900000001", "station": "bench-1"})["parcel_id"]

# An outbound parcel the sandbox reports damaged, shipped ten days ago: one poll
# opens its incident.
shipped = datetime.now(timezone.utc) - timedelta(days=10)
shipment = {
    "carrier": "sandbox",
    "tracking_number": sandbox_number(2, shipped, 424242),
    "shipped_at": shipped.strftime("%Y-%m-%dT%H:%M:%SZ"),
}
call("POST", "/orders/DEMO-2001/shipments", shipment)
subprocess.run(
    ["target/debug/backhaul", "poll", "--once"],
    check=True,
    stdout=subprocess.DEVNULL,
    stderr=subprocess.DEVNULL,
)
incident = call("GET", "/incidents")["items"][0]["id"]

for name, value in [
    ("BH_RMA", open_rma),
    ("BH_RMA_TO_CLOSE", to_close),
    ("BH_PHOTO", photo),
    ("BH_REFUND", refund),
    ("BH_PARCEL", parcel),
    ("BH_INCIDENT", incident),
]:
    print(f"export {name}={value}")
