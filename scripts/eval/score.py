"""Leaks, keeps and structure, per record and in total.

A planted value is leaked when its bytes survive anywhere in its record's
output (case-sensitive), or, for a value with 6 digits or more, when its
digit string survives in the output's digits (all of them concatenated):
"+1 (415) 555-0123" still leaks as "1-415-555-0123". Fewer digits are too
likely to reappear by chance. A hard negative is kept when it survives
byte for byte. Which placeholder replaced a value does not matter.
"""

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field

from .checksums import digits_of
from .vocab import tokens

DIGIT_RULE_MIN = 6
# Latin values shorter than this ("Li", "MARY") must match as whole words, or
# they would be found inside unrelated words ("Liberg", "STMARY").
SHORT_VALUE = 6
PART_MIN = 3
_LATIN_WORD = re.compile(r"^[0-9A-Za-z\u00c0-\u024f]+")
# The engine's placeholders: "<MEDICAL_RECORD_NUMBER>" must not count as a
# surviving "RECORD", nor "<ICD10_CODE>" lend its digits to the digit rule.
_PLACEHOLDER = re.compile(r"<[A-Z][A-Z0-9_]*>")


class Obj(list):
    """A JSON object as its (key, value) pairs, so duplicate keys stay visible."""


def parse(line):
    return json.loads(line, object_pairs_hook=Obj)


def strings(node, out):
    """Every key and string of a parsed JSON value, decoded."""
    if isinstance(node, Obj):
        for k, v in node:
            out.append(k)
            strings(v, out)
    elif isinstance(node, list):
        for v in node:
            strings(v, out)
    elif isinstance(node, str):
        out.append(node)
    return out


def word_pattern(value):
    return re.compile(r"(?<!\w)" + re.escape(value) + r"(?!\w)")


def survives(value, text):
    if len(value) < SHORT_VALUE and _LATIN_WORD.fullmatch(value):
        return word_pattern(value).search(text) is not None
    return value in text


def leaked(value, text, out_digits):
    if survives(value, text):
        return True
    d = digits_of(value)
    return len(d) >= DIGIT_RULE_MIN and d in out_digits


def part_leaked(value, text):
    """A name token of 3+ characters left standing as a word (a partial leak)."""
    return any(len(t) >= PART_MIN and word_pattern(t).search(text) for t in tokens(value))


def same_json_shape(a, b, free_keys):
    """Same key paths; keys in `free_keys` (planted values) may change, not their number."""
    if isinstance(a, Obj):
        if not isinstance(b, Obj):
            return False
        rest = list(b)
        free = []
        for k, v in a:
            if k in free_keys:
                free.append(v)
                continue
            i = next((i for i, (bk, _) in enumerate(rest) if bk == k), None)
            if i is None or not same_json_shape(v, rest.pop(i)[1], free_keys):
                return False
        return len(rest) == len(free) and all(same_json_shape(v, w, free_keys) for v, (_, w) in zip(free, rest))
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(same_json_shape(v, w, free_keys) for v, w in zip(a, b))
    return not isinstance(b, list)


def hl7_shape(line):
    return [(seg[:3], seg.count("|")) for seg in line.split("\r")]


@dataclass
class Outcome:
    """What happened to one record."""

    leaks: list = field(default_factory=list)
    drops: list = field(default_factory=list)
    part_leaks: list = field(default_factory=list)
    structure_ok: bool = True


def score_record(rec, out):
    outcome = Outcome()
    text = _PLACEHOLDER.sub("<>", out)
    if rec.fmt == "json":
        try:
            parsed = parse(out)
            text = _PLACEHOLDER.sub("<>", out + "\n" + "\n".join(strings(parsed, [])))
            outcome.structure_ok = same_json_shape(parse(rec.line), parsed, set(rec.planted_keys))
        except ValueError:
            outcome.structure_ok = False
    elif rec.fmt == "hl7":
        outcome.structure_ok = hl7_shape(rec.line) == hl7_shape(out)
    out_digits = digits_of(_PLACEHOLDER.sub("", out))
    for p in rec.planted:
        if leaked(p.value, text, out_digits):
            outcome.leaks.append(p)
        if p.type == "PERSON" and part_leaked(p.value, text):
            outcome.part_leaks.append(p)
    outcome.drops = [k for k in rec.keep if k.value not in text]
    return outcome


class Tally:
    """planted/leaked and keep/kept counts under one grouping key."""

    def __init__(self):
        self.c = defaultdict(lambda: {"records": 0, "planted": 0, "leaked": 0, "keep": 0, "kept": 0})

    def add(self, key, **counts):
        for name, n in counts.items():
            self.c[key][name] += n

    def table(self):
        out = {}
        for key in sorted(self.c):
            row = dict(self.c[key])
            row["leak_pct"] = pct(row["leaked"], row["planted"])
            row["keep_pct"] = pct(row["kept"], row["keep"])
            out[key] = row
        return out


def pct(part, whole):
    return round(100.0 * part / whole, 2) if whole else None


def nested(table):
    """{(lang, kind): row} as {lang: {kind: row}}, which JSON can hold."""
    out = defaultdict(dict)
    for (lang, kind), row in table.items():
        out[lang][kind] = row
    return dict(out)


def score(records, outputs):
    """All figures of a run, plus the per-record outcomes for the dump."""
    by_type, by_kind, by_lang, by_lang_kind, by_cat = Tally(), Tally(), Tally(), Tally(), Tally()
    person = {"planted": 0, "leaked": 0, "part_leaked": 0, "oov_planted": 0, "oov_leaked": 0}
    structure = {"json": [0, 0], "hl7": [0, 0]}
    outcomes = []
    for rec, out in zip(records, outputs):
        o = score_record(rec, out)
        outcomes.append(o)
        leaked_ids = {id(p) for p in o.leaks}
        for p in rec.planted:
            hit = int(id(p) in leaked_ids)
            by_type.add(p.type, planted=1, leaked=hit)
            if p.type == "PERSON":
                person["planted"] += 1
                person["leaked"] += hit
                person["oov_planted"] += int(p.oov)
                person["oov_leaked"] += hit * int(p.oov)
        person["part_leaked"] += len(o.part_leaks)
        for k in rec.keep:
            by_cat.add(k.category, keep=1, kept=int(k not in o.drops))
        for tally, key in ((by_kind, rec.kind), (by_lang, rec.lang), (by_lang_kind, (rec.lang, rec.kind))):
            tally.add(
                key,
                records=1,
                planted=len(rec.planted),
                leaked=len(o.leaks),
                keep=len(rec.keep),
                kept=len(rec.keep) - len(o.drops),
            )
        if rec.fmt in structure:
            structure[rec.fmt][0] += 1
            structure[rec.fmt][1] += int(not o.structure_ok)
    planted = sum(len(r.planted) for r in records)
    leaks = sum(len(o.leaks) for o in outcomes)
    keep = sum(len(r.keep) for r in records)
    kept = keep - sum(len(o.drops) for o in outcomes)
    types = by_type.table()
    cats = by_cat.table()
    figures = {
        "records": len(records),
        "planted": planted,
        "leaked": leaks,
        "micro_leak_pct": pct(leaks, planted),
        "max_type_leak_pct": max(row["leak_pct"] for row in types.values()),
        "keep": keep,
        "kept": kept,
        "keep_pct": pct(kept, keep),
        "min_category_keep_pct": min(row["keep_pct"] for row in cats.values()),
        "person": dict(
            person,
            recall_pct=round(100 - pct(person["leaked"], person["planted"]), 2),
            oov_recall_pct=round(100 - pct(person["oov_leaked"], person["oov_planted"]), 2),
            part_leak_pct=pct(person["part_leaked"], person["planted"]),
        ),
        "json_records": structure["json"][0],
        "json_structure_failures": structure["json"][1],
        "hl7_records": structure["hl7"][0],
        "hl7_structure_failures": structure["hl7"][1],
        "by_type": types,
        "by_kind": by_kind.table(),
        "by_lang": by_lang.table(),
        "by_lang_kind": nested(by_lang_kind.table()),
        "by_category": cats,
    }
    return figures, outcomes
