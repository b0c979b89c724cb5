"""Records of hard negatives only: nothing in them may be redacted.

Build and audit lines, order and ticket references, look-alike numbers that
fail their checksums, filler text, medication and vitals lines, and small
JSON objects of ids; every value is labelled keep.
"""

from . import negatives as neg
from .model import Collector, dump_json


def record(rng, src, _lang):
    c = Collector()
    k = c.keep
    style = rng.randrange(5)
    if style == 0:
        line = (
            f"{k('timestamp', neg.any_timestamp(rng))} build {k('semver', neg.semver(rng))} finished, "
            f"commit {k('hash', neg.hex_hash(rng))}, artifact sha256 {k('hash', neg.hex_string(rng, 64))}, "
            f"started {k('epoch_ms', str(neg.epoch_ms(rng)))}, run {k('uuid', neg.uuid(rng))}"
        )
    elif style == 1:
        line = (
            f"Order {k('order_id', neg.order_id(rng))} ({k('sku', neg.sku(rng))} x{rng.randint(1, 9)}) linked to "
            f"{k('ticket_id', neg.ticket_id(rng))} on {k('timestamp', neg.rfc2822(rng))}; batch code "
            f"{k('invalid_card', neg.invalid_card(rng))}, ref {k('invalid_ssn', neg.invalid_ssn(rng))}"
        )
    elif style == 2:
        line = f"{k('lorem', neg.lorem(src))} {k('lorem', neg.lorem(src))}"
    elif style == 3:
        line = (
            f"Protocol step {rng.randint(1, 9)}: {k('medication', neg.medication(rng))} then "
            f"{k('medication', neg.medication(rng))}; recheck {k('vitals', neg.vitals(rng))}, "
            f"{k('vitals', neg.vitals(rng))}, {k('lab_value', neg.lab_value(rng))}"
        )
    else:
        obj = {
            "id": k("uuid", neg.uuid(rng)),
            "created": k("timestamp", neg.iso_timestamp(rng)),
            "created_ms": int(k("epoch_ms", str(neg.epoch_ms(rng)))),
            "sha1": k("hash", neg.hex_string(rng, 40)),
            "version": k("semver", neg.semver(rng)),
            "order": k("order_id", neg.order_id(rng)),
            "sku": k("sku", neg.sku(rng)),
            "ref": k("invalid_card", neg.invalid_card(rng)),
            "trace_id": k("trace_id", neg.hex_string(rng, 32)),
            "note": k("lorem", neg.lorem(src)),
        }
        return c.record("negatives", "-", "json", dump_json(obj))
    return c.record("negatives", "-", "text", line)
