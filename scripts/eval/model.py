"""Labelled records and how generators fill them.

A generator writes a record's line through a Collector: every sensitive
value goes in with `pii(type, value)` and every value that must survive with
`keep(category, value)`, so the label list can never drift from the text.
"""

import hashlib
import json
import random
from dataclasses import dataclass, field


@dataclass
class Planted:
    """A sensitive value; caught when its bytes (or digits) are gone."""

    type: str
    value: str
    oov: bool = False


@dataclass
class Keep:
    """A hard negative; kept when it survives byte for byte."""

    category: str
    value: str


@dataclass
class Record:
    """One input line and its labels.

    `fmt` is what the scorer checks the output against: "json" (must parse
    with the same key paths), "hl7" (same segments and field counts) or
    "text". `planted_keys` are JSON object keys that are themselves planted
    values (an email used as a key): the structure check allows those keys,
    and only those, to change.
    """

    kind: str
    lang: str
    fmt: str
    line: str
    planted: list = field(default_factory=list)
    keep: list = field(default_factory=list)
    planted_keys: list = field(default_factory=list)

    def to_json(self):
        return {
            "kind": self.kind,
            "lang": self.lang,
            "fmt": self.fmt,
            "line": self.line,
            "planted": [[p.type, p.value, p.oov] for p in self.planted],
            "keep": [[k.category, k.value] for k in self.keep],
            "planted_keys": self.planted_keys,
        }


class Collector:
    """Accumulates the labels of the record being written."""

    def __init__(self):
        self.planted = []
        self.keep_values = []
        self.planted_keys = []

    def pii(self, type_, value):
        """Label `value` as sensitive and return it for the template.

        A value repeated in a record (a name in a greeting and again in a
        speaker label) is labelled once: it is one value to catch.
        """
        if value and all(p.value != value for p in self.planted):
            self.planted.append(Planted(type_, value))
        return value

    def keep(self, category, value):
        """Label `value` as a hard negative and return it for the template."""
        if all(k.value != value for k in self.keep_values):
            self.keep_values.append(Keep(category, value))
        return value

    def key(self, type_, value):
        """Label a JSON object key that is itself a sensitive value."""
        self.planted_keys.append(value)
        return self.pii(type_, value)

    def record(self, kind, lang, fmt, line):
        return Record(kind, lang, fmt, line, self.planted, self.keep_values, self.planted_keys)


def record_seed(seed, kind, index):
    """A stable 64-bit seed per record.

    Derived by hashing, not from a shared stream, so that record i of a kind
    stays the same when other kinds or counts change, and so that Python's
    per-process hash randomisation cannot enter.
    """
    digest = hashlib.sha256(f"{seed}/{kind}/{index}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def rng_for(seed, kind, index):
    return random.Random(record_seed(seed, kind, index))


def dump_json(value):
    """JSON as real producers write it: compact, UTF-8 (not \\u escapes)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def records_hash(records):
    """sha256 over every record and its labels: the determinism check."""
    h = hashlib.sha256()
    for r in records:
        h.update(json.dumps(r.to_json(), ensure_ascii=False, sort_keys=True).encode())
        h.update(b"\n")
    return h.hexdigest()
