"""Checks of the harness itself, with fake binaries instead of redactd.

An echo must leak everything and keep everything (which also proves every
label really is in its line); a binary that blanks every line must leak
nothing and keep nothing; the same seed must give the same records in
another process with another hash seed; planted checksummed values must
validate and their look-alikes must not; the scoring rules hold on a few
hand-made cases.
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from . import bars, checksums, gen, run, score, vocab
from .model import Keep, Planted, Record, records_hash

ROOT = Path(__file__).resolve().parents[2]
SEED, COUNT = 12, 700

ECHO = "#!/bin/sh\nexec cat\n"
BLANK = """#!/bin/sh
while IFS= read -r line; do
  case "$line" in "{"*) echo '{}' ;; *) echo x ;; esac
done
"""
SHORT = "#!/bin/sh\nhead -n 1\n"

HASH_SNIPPET = """
import sys
from eval import gen, vocab
from eval.model import records_hash
print(records_hash(gen.generate(int(sys.argv[1]), int(sys.argv[2]), vocab.load(sys.argv[3]))))
"""


class Checks:
    def __init__(self):
        self.passed, self.failed = 0, []

    def that(self, ok, what):
        if ok:
            self.passed += 1
        else:
            self.failed.append(what)


def fake(directory, name, body):
    path = Path(directory) / name
    path.write_text(body)
    path.chmod(0o755)
    return path


def scoring_rules(ck):
    phone = Record("chat", "en", "text", "x", [Planted("PHONE_NUMBER", "+1 (415) 555-0123")])
    ck.that(
        score.score_record(phone, "call 1-415-555-0123").leaks,
        "digits of a phone surviving with other separators count as a leak",
    )
    ck.that(not score.score_record(phone, "call <PHONE_NUMBER>, ext 415").leaks, "a replaced phone is no leak")
    short = Record("chat", "en", "text", "x", [Planted("PERSON", "Li")])
    ck.that(not score.score_record(short, "Liberg <PERSON>").leaks, "a short name inside another word is no leak")
    ck.that(score.score_record(short, "Hi Li, thanks").leaks, "a short name as a word is a leak")
    upper = Record("hl7", "en", "hl7", "x", [Planted("PERSON", "MARY"), Planted("PERSON", "RECORD")])
    ck.that(
        not score.score_record(upper, "STMARY|<MEDICAL_RECORD_NUMBER>").leaks, "no leak inside a code or a placeholder"
    )
    name = Record("chat", "en", "text", "x", [Planted("PERSON", "Anna Schmidt")])
    o = score.score_record(name, "Hi <PERSON> Schmidt")
    ck.that(not o.leaks and o.part_leaks, "a half-redacted name is a part leak, not a leak")
    keep = Record("negatives", "-", "text", "x", keep=[Keep("vitals", "BP 120/80")])
    ck.that(score.score_record(keep, "BP <DATE_TIME>").drops, "a touched hard negative is dropped")
    key = Record("json_event", "en", "json", '{"a@b.com":{"n":1},"k":[1,{"x":"y"}]}', planted_keys=["a@b.com"])
    ck.that(
        score.score_record(key, '{"<EMAIL_ADDRESS>":{"n":1},"k":[1,{"x":"<P>"}]}').structure_ok,
        "a planted key may change",
    )
    ck.that(
        not score.score_record(key, '{"<EMAIL_ADDRESS>":{"n":1},"k":[1,{}]}').structure_ok,
        "a lost key path is a structure failure",
    )
    ck.that(
        not score.score_record(key, '{"<EMAIL_ADDRESS>":{"n":1}}').structure_ok, "a lost key is a structure failure"
    )
    ck.that(bars.tightened({"max": 5.0}, 10.0, 2.0) == {"max": 5.0}, "the ratchet never loosens a max")
    ck.that(
        bars.tightened({"max": 50.0}, 10.0, 2.0) == {"max": 12.0}, "the ratchet tightens a max to measured + margin"
    )
    ck.that(bars.tightened({"min": 0.0}, 99.5, 1.0) == {"min": 98.5}, "the ratchet tightens a min to measured - margin")
    hl7 = Record("hl7", "en", "hl7", "MSH|a|b\rPID|1||x")
    ck.that(not score.score_record(hl7, "MSH|a|b\rPID|1|x").structure_ok, "a lost HL7 field is a structure failure")


def generated(ck, records):
    for r in records:
        for p in r.planted:
            check = checksums.VALIDATORS.get(p.type)
            ck.that(check is None or check(p.value), f"planted {p.type} {p.value!r} passes its checksum")
        for k in r.keep:
            check = checksums.INVALID.get(k.category)
            ck.that(check is None or not check(k.value), f"{k.category} {k.value!r} fails its checksum")
            ck.that(
                all(k.value not in p.value and p.value not in k.value for p in r.planted),
                f"{k.category} {k.value!r} overlaps no planted value",
            )
    oov = sum(1 for r in records for p in r.planted if p.oov)
    ck.that(oov >= 100, f"at least 100 out-of-vocabulary names in {len(records)} records (got {oov})")


def main():
    ck = Checks()
    words = vocab.load(ROOT / "patterns" / "dict")
    records = gen.generate(SEED, COUNT, words)
    lines = [r.line for r in records]
    digest = records_hash(records)
    ck.that(records_hash(gen.generate(SEED, COUNT, words)) == digest, "same seed, same records (same process)")
    env = dict(os.environ, PYTHONHASHSEED="4711", PYTHONPATH=str(ROOT / "scripts"))
    other = subprocess.run(
        [sys.executable, "-c", HASH_SNIPPET, str(SEED), str(COUNT), str(ROOT / "patterns" / "dict")],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    ck.that(other.stdout.strip() == digest, "same seed, same records (another process, another hash seed)")
    ck.that(records_hash(gen.generate(SEED + 1, COUNT, words)) != digest, "another seed, other records")
    generated(ck, records)
    scoring_rules(ck)
    with tempfile.TemporaryDirectory() as tmp:
        out, _ = run.redact(fake(tmp, "echo", ECHO), lines)
        f, _ = score.score(records, out)
        ck.that(f["micro_leak_pct"] == 100.0, f"echo leaks 100 % (got {f['micro_leak_pct']})")
        ck.that(f["keep_pct"] == 100.0, f"echo keeps 100 % (got {f['keep_pct']})")
        ck.that(f["json_structure_failures"] == 0 and f["hl7_structure_failures"] == 0, "echo keeps every structure")
        out, _ = run.redact(fake(tmp, "blank", BLANK), lines)
        f, _ = score.score(records, out)
        ck.that(f["micro_leak_pct"] == 0.0, f"blank leaks 0 % (got {f['micro_leak_pct']})")
        ck.that(f["keep_pct"] == 0.0, f"blank keeps 0 % (got {f['keep_pct']})")
        ck.that(f["json_structure_failures"] == f["json_records"], "blank breaks every JSON structure")
        try:
            run.redact(fake(tmp, "short", SHORT), lines)
            ck.that(False, "a binary printing too few lines is an error")
        except run.RunError:
            ck.that(True, "")
    for what in ck.failed:
        print(f"eval-recall self-test: FAIL {what}")
    print(f"eval-recall self-test: {ck.passed} passed, {len(ck.failed)} failed")
    return 1 if ck.failed else 0
