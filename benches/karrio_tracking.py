"""Reads the tracking conformance corpus with karrio, a widely used open-source Python
multi-carrier library, to compare its speed (and, roughly, its readings) with ours.

Each answer goes in as the raw text our poller receives, wrapped the way karrio's own
HTTP proxy wraps it, and comes out through the provider's `parse_tracking_response`:
the same work our `normalize` bench times (parse, map, times). Carriers karrio has no
tracking reader for (Shippo, our sandbox) are left out.

Run through `scripts/compare-karrio`, which makes the virtualenv:
    python benches/karrio_tracking.py [--seconds 3]
"""

import argparse
import logging
import pathlib
import platform
import sys
import time

import karrio.lib as lib
import karrio.providers.fedex.utils as fedex_utils
import karrio.sdk as karrio
from loguru import logger

CORPUS = pathlib.Path(__file__).resolve().parent.parent / "carriers/tests/fixtures/tracking"

CREDENTIALS = {
    "ups": dict(client_id="id", client_secret="secret", account_number="A1"),
    "fedex": dict(api_key="key", secret_key="secret", account_number="A1"),
    "usps": dict(client_id="id", client_secret="secret"),
    "dhl_universal": dict(consumer_key="key", consumer_secret="secret"),
    "easypost": dict(api_key="key"),
}

# Our carrier name -> karrio's.
CARRIERS = {
    "ups": "ups",
    "fedex": "fedex",
    "usps": "usps",
    "dhl": "dhl_universal",
    "easypost": "easypost",
}

# karrio's statuses -> ours, for the rough agreement figure. Exceptions count as
# agreeing when karrio says anything exceptional (it has no kinds of ours).
STATUSES = {
    "pending": "pre_transit",
    "picked_up": "in_transit",
    "in_transit": "in_transit",
    "out_for_delivery": "out_for_delivery",
    "ready_for_pickup": "available_for_pickup",
    "delivered": "delivered",
    "return_to_sender": "returned_to_sender",
    "cancelled": "cancelled",
    "on_hold": "exception",
    "delivery_failed": "exception",
    "delivery_delayed": "exception",
    "unknown": "unknown",
}


def wrapped(carrier, number, text):
    """The `Deserializable` karrio's proxy builds from one HTTP answer."""
    if carrier == "fedex":
        return lib.Deserializable(text, lib.to_dict)
    if carrier == "dhl_universal":
        return lib.Deserializable([text], lambda res: [lib.to_dict(r) for r in res])
    return lib.Deserializable([(number, text)], lambda res: [(n, lib.to_dict(d)) for n, d in res])


def expected(stem):
    outcome = stem.split(".")[0]
    return [o if not o.startswith("exception_") else "exception" for o in outcome.split("+")]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=3.0, help="time per carrier")
    parser.add_argument(
        "--as-installed",
        action="store_true",
        help="keep karrio's default logging (every answer at debug level, to stderr)",
    )
    args = parser.parse_args()
    if not args.as_installed:
        logging.disable(logging.CRITICAL)
        logger.remove()  # karrio logs every answer
    # For a delivered parcel karrio's FedEx reader fetches the proof-of-delivery image
    # over HTTP; ours reads the answer only, so the comparison leaves that call out.
    fedex_utils.get_proof_of_delivery = lambda *_args, **_kw: None

    # karrio prints every field its schemas lack ("unknown arguments ..."); into a sink
    # that drops the text, so the terminal's speed is not counted against it.
    sys.stdout = Sink()
    rows, everything = [], []
    for ours, theirs in CARRIERS.items():
        gateway = karrio.gateway[theirs].create(CREDENTIALS[theirs])
        answers = [(f.stem, f.read_text()) for f in sorted((CORPUS / ours).glob("*.json"))]

        def read(text, gateway=gateway, theirs=theirs):
            try:
                details, _messages = gateway.mapper.parse_tracking_response(
                    wrapped(theirs, "1Z999", text)
                )
                return [STATUSES.get(d.status, d.status) for d in details]
            except Exception:  # karrio raises on some shapes: that answer reads as nothing
                return None

        same = sum(1 for stem, text in answers if (read(text) or ["unknown"]) == expected(stem))
        rows.append((ours, len(answers), rate(read, answers, args.seconds), same))
        everything += [(read, text) for _stem, text in answers]
    overall = rate(lambda pair: pair[0](pair[1]), everything, args.seconds, wrapped_in=False)
    sys.stdout = sys.__stdout__
    print(f"karrio {karrio_version()} on {platform.python_implementation()} {platform.python_version()}")
    print(f"{'carrier':10} {'answers':>7} {'answers/s':>10} {'read as named':>14}")
    for ours, n, per_second, same in rows:
        print(f"{ours:10} {n:7} {per_second:10.0f} {same:>8}/{n}")
    agree = sum(r[3] for r in rows)
    print(f"{'all':10} {len(everything):7} {overall:10.0f} {agree:>8}/{len(everything)}")


class Sink:
    def write(self, _text):
        return 0

    def flush(self):
        pass


def rate(read, answers, seconds, wrapped_in=True):
    """Answers read per second, reading all of `answers` over and over for `seconds`."""
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for answer in answers:
            read(answer[1] if wrapped_in else answer)
        done += len(answers)
    return done / (time.perf_counter() - start)


def karrio_version():
    from importlib.metadata import version

    return version("karrio")

if __name__ == "__main__":
    main()
