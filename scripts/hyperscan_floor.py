"""Hyperscan on the same passes as examples/stage_floor: the best available
multi-pattern engine, as a yardstick for redactd's throughput targets.

Usage: python3 scripts/hyperscan_floor.py DIR   (DIR from `stage_floor --dump`)

Block mode over each whole corpus (no per-record overhead, which favours
Hyperscan). Prints MB/s, best and median of ROUNDS (default 5):
  - the keyword literals, caseless, every match reported (through a Python
    callback, which adds its own cost per match: a lower bound of the
    literal engine's speed);
  - the same literals with one report per literal (HS_FLAG_SINGLEMATCH):
    next to no callbacks, so an upper bound of the literal engine's speed;
  - every pack regex Hyperscan accepts, in one database, one report per
    pattern (HS_FLAG_SINGLEMATCH), as a one-pass alternative to the engine.
"""
import os
import re
import sys
import time

import hyperscan


def timed(db, data, rounds):
    hits = [0]

    def on_match(_id, _from, _to, _flags, _ctx):
        hits[0] += 1

    times = []
    for _ in range(rounds):
        hits[0] = 0
        t = time.perf_counter()
        db.scan(data, match_event_handler=on_match)
        times.append(time.perf_counter() - t)
    times.sort()
    return times[0], times[len(times) // 2], hits[0]


def compile_db(patterns, flags):
    db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    t = time.perf_counter()
    db.compile(expressions=patterns, ids=list(range(len(patterns))), flags=flags)
    return db, time.perf_counter() - t


def main():
    d = sys.argv[1]
    rounds = int(os.environ.get("ROUNDS", "5"))
    read = lambda n: open(os.path.join(d, n), "rb").read()
    keywords = [k for k in read("keywords.txt").split(b"\n") if k]
    regexes = [r for r in read("regexes.txt").split(b"\n") if r]
    literals = [re.escape(k.decode("latin-1")).encode("latin-1") for k in keywords]
    lit_db, lit_s = compile_db(literals, [hyperscan.HS_FLAG_CASELESS] * len(literals))
    once = hyperscan.HS_FLAG_CASELESS | hyperscan.HS_FLAG_SINGLEMATCH
    lit1_db, _ = compile_db(literals, [once] * len(literals))

    accepted = []
    for r in regexes:
        try:
            compile_db([r], [hyperscan.HS_FLAG_SINGLEMATCH])
            accepted.append(r)
        except hyperscan.error:
            pass
    rx_db, rx_s = compile_db(accepted, [hyperscan.HS_FLAG_SINGLEMATCH] * len(accepted))
    print(f"hyperscan {hyperscan.__version__}: {len(literals)} literals (compiled in {lit_s:.1f} s), "
          f"{len(accepted)} of {len(regexes)} regexes accepted (compiled in {rx_s:.1f} s), {rounds} rounds")
    for name in ("pii_dense", "clean"):
        data = read(f"{name}.txt")
        for stage, db in (("keyword literals, all matches", lit_db),
                          ("keyword literals, first of each", lit1_db),
                          ("all accepted regexes, one pass", rx_db)):
            best, median, hits = timed(db, data, rounds)
            rate = lambda t: len(data) / t / 1e6
            print(f"{name:<10} {stage:<34} {rate(best):>6.1f} MB/s {rate(median):>6.1f} MB/s  ({hits} reports)")


if __name__ == "__main__":
    main()
