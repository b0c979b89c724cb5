"""Hard negatives: values that look like data and must survive untouched.

A redactor that recalls everything by redacting every number is useless
for training data, so each record kind carries values of these categories
and the scorer checks they come back byte for byte. None of them is ever
placed after a PII label ("SSN:", "DOB:"), where redacting would be right.
"""

import json
import string
import uuid as uuid_module
from datetime import datetime, timedelta, timezone
from pathlib import Path

from . import checksums

CLINICAL = json.loads(Path(__file__).with_name("clinical.json").read_text(encoding="utf-8"))

_EPOCH_START = datetime(2023, 1, 1, tzinfo=timezone.utc)
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def event_time(rng):
    """An event time in 2023-2025 (log and event timestamps, never personal)."""
    return _EPOCH_START + timedelta(seconds=rng.randrange(3 * 365 * 86400), milliseconds=rng.randrange(1000))


def iso_timestamp(rng, t=None):
    t = t or event_time(rng)
    style = rng.randrange(3)
    if style == 0:
        return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"
    if style == 1:
        return t.strftime("%Y-%m-%dT%H:%M:%SZ")
    return t.strftime("%Y-%m-%dT%H:%M:%S") + rng.choice(["+00:00", "+01:00", "-05:00", "+09:00"])


def rfc2822(rng, t=None):
    t = t or event_time(rng)
    return f"{_DAYS[t.weekday()]}, {t.day:02d} {_MONTHS[t.month - 1]} {t.year} {t:%H:%M:%S} +0000"


def log_timestamp(rng, t=None):
    """The timestamps log frameworks print: log4j/python, Apache, syslog."""
    t = t or event_time(rng)
    style = rng.randrange(3)
    if style == 0:
        return t.strftime("%Y-%m-%d %H:%M:%S,") + f"{t.microsecond // 1000:03d}"
    if style == 1:
        return f"{t.day:02d}/{_MONTHS[t.month - 1]}/{t.year}:{t:%H:%M:%S} +0000"
    return f"{_MONTHS[t.month - 1]} {t.day:2d} {t:%H:%M:%S}"


def any_timestamp(rng):
    return rng.choice([iso_timestamp, rfc2822, log_timestamp])(rng)


def epoch_ms(rng):
    return int(event_time(rng).timestamp() * 1000)


def uuid(rng):
    return str(uuid_module.UUID(int=rng.getrandbits(128), version=4))


def hex_string(rng, n):
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def hex_hash(rng):
    """md5, sha1 or sha256 in lower-case hex."""
    return hex_string(rng, rng.choice([32, 40, 64]))


def order_id(rng):
    return rng.choice(["ORD-", "ORD-", "PO-", "SO-"]) + str(rng.randint(100000, 999999))


def ticket_id(rng):
    return f"{rng.choice(['JIRA', 'SUP', 'OPS', 'INC', 'CS'])}-{rng.randint(10, 99999)}"


def sku(rng):
    letters = "".join(rng.choice(string.ascii_uppercase) for _ in range(3))
    return rng.choice(
        [
            f"SKU-{rng.randint(1000, 99999)}-{letters}",
            f"{letters}-{rng.randint(100, 9999)}-{rng.choice(['S', 'M', 'L', 'XL'])}",
        ]
    )


def semver(rng):
    v = f"{rng.randint(0, 12)}.{rng.randint(0, 40)}.{rng.randint(0, 30)}"
    return rng.choice([v, v, "v" + v, f"{v}-rc.{rng.randint(1, 5)}"])


def _with_amount(rng, table):
    """A name from a clinical.json table with one of its usual amounts."""
    name, amounts = rng.choice(CLINICAL[table])
    return f"{name} {rng.choice(amounts)}"


def medication(rng):
    return _with_amount(rng, "drugs")


def vitals(rng):
    return rng.choice(
        [
            f"BP {rng.randint(95, 165)}/{rng.randint(55, 100)}",
            f"HR {rng.randint(52, 118)} bpm",
            f"Temp {rng.randint(970, 1025) / 10} F",
            f"SpO2 {rng.randint(88, 100)}%",
            f"RR {rng.randint(12, 24)}",
            f"Wt {rng.randint(45, 130)} kg",
        ]
    )


def lab_value(rng):
    return _with_amount(rng, "labs")


def http_path(rng):
    return rng.choice(
        [
            f"/api/v{rng.randint(1, 3)}/orders/{rng.randint(1000, 99999)}/items",
            f"/api/v1/products/{sku(rng)}",
            "/healthz",
            "/metrics",
            f"/static/js/app.{hex_string(rng, 8)}.js",
            f"/v2/carts/{uuid(rng)}/checkout",
        ]
    )


def lorem(src):
    """A sentence of faker's English filler words."""
    return src.faker("en").sentence(nb_words=9)


def invalid_card(rng):
    return checksums.bad_card(rng)


def invalid_ssn(rng):
    return checksums.bad_ssn(rng)
