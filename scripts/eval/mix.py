"""A seeded mixed file for speed benches: `python -m eval.mix BYTES [SEED]`.

Writes records from the recall harness's own generators (so they look like
the traffic the harness scores, not like the engine's generated corpus) to
stdout until BYTES are written: about 40 % JSON events, 30 % chats and
clinical notes, 30 % app logs by bytes. The harness's records are dense
(one value per ~80 bytes), as they are built to leak; real topics are
mostly clean, so clean records of the same kind (telemetry events, request
logs, hard-negative notes) are interleaved until there is one planted value
per ~275 bytes. Prints to stderr the record count, planted values and bytes
per planted value, so a bench can say how dense the file was.
"""

import json
import random
import sys

from . import gen_chat, gen_clinical, gen_json, gen_log, gen_negatives
from . import negatives as neg
from .locales import LANGS, Sources
from .model import record_seed, rng_for

# Bytes per planted value the file aims at.
DENSITY = 275
EVENTS = ["page_view", "add_to_cart", "checkout_started", "search", "feature_flag_evaluated", "api_call"]
SERVICES = ["checkout-api", "auth-svc", "billing-worker", "search-gateway", "notifier"]


def clean_event(rng, src):
    """A telemetry event with ids, timings and versions only."""
    obj = {
        "event": rng.choice(EVENTS),
        "ts": neg.iso_timestamp(rng),
        "session_id": neg.uuid(rng),
        "trace_id": neg.hex_string(rng, 32),
        "page": {"path": neg.http_path(rng), "referrer_path": neg.http_path(rng)},
        "metrics": {"duration_ms": rng.randint(1, 5000), "bytes": rng.randint(100, 900000), "retries": rng.randint(0, 3)},
        "app": {"name": rng.choice(SERVICES), "version": neg.semver(rng), "build": neg.hex_hash(rng)},
        "flags": {f"exp_{rng.randint(1, 40)}": rng.choice([True, False]) for _ in range(3)},
    }
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def clean_log(rng, src):
    """A request log line with no user in it."""
    return (
        f"ts={neg.iso_timestamp(rng)} level={rng.choice(['info', 'info', 'debug', 'warn'])} "
        f"svc={rng.choice(SERVICES)} msg=\"request done\" request_id={neg.uuid(rng)} "
        f"trace_id={neg.hex_string(rng, 32)} method={rng.choice(['GET', 'POST', 'PUT'])} "
        f"path={neg.http_path(rng)} status={rng.choice([200, 200, 201, 204, 304, 404])} "
        f"latency_ms={rng.randint(1, 4000)} version={neg.semver(rng)}"
    )


def clean_note(rng, src):
    return gen_negatives.record(rng, src, None).line


CLEAN = {"json_event": clean_event, "chat": clean_note, "clinical_note": clean_note, "app_log": clean_log}

# kind -> (share of bytes, generator, languages cycled through or None)
MIX = {
    "json_event": (0.40, gen_json.record, LANGS),
    "chat": (0.15, gen_chat.record, LANGS),
    "clinical_note": (0.15, gen_clinical.record, None),
    "app_log": (0.30, gen_log.record, None),
}


def write(total, seed, out):
    """Writes about `total` bytes; returns (records, planted, bytes)."""
    src = Sources()
    order = random.Random(seed)
    written = {kind: 0 for kind in MIX}
    index = {kind: 0 for kind in MIX}
    records = planted = size = 0
    while size < total:
        # The kind furthest behind its byte share goes next, with a seeded
        # tie-break, so the shares hold at every prefix of the file.
        kind = min(MIX, key=lambda k: (written[k] / MIX[k][0], order.random()))
        _, make, langs = MIX[kind]
        i = index[kind]
        index[kind] += 1
        src.begin(record_seed(seed, kind, i))
        rng = rng_for(seed, kind, i)
        if planted and size < planted * DENSITY:
            text = CLEAN[kind](rng, src)
        else:
            lang = langs[i % len(langs)] if langs else None
            rec = make(rng, src, lang)
            text = rec.line
            planted += len(rec.planted)
        line = text.encode("utf-8") + b"\n"
        out.write(line)
        written[kind] += len(line)
        size += len(line)
        records += 1
    return records, planted, size


def main(argv):
    if not argv or not argv[0].isdigit():
        print("usage: python -m eval.mix BYTES [SEED]", file=sys.stderr)
        return 2
    total = int(argv[0])
    seed = int(argv[1]) if len(argv) > 1 else 14
    records, planted, size = write(total, seed, sys.stdout.buffer)
    sys.stdout.buffer.flush()
    per = size / planted if planted else float("inf")
    print(
        f"mix: {size} bytes, {records} records, {planted} planted values, one per {per:.0f} bytes",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
