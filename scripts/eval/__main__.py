"""Command line of the recall harness; scripts/eval-recall runs it in its venv.

scripts/eval-recall [--seed N] [--records N] [--bin PATH] [--check FILE]
                    [--bars goal|ci] [--ratchet FILE] [--json OUT] [--dump DIR]
                    [--self-test]
"""

import argparse
import subprocess
import sys
import time
from pathlib import Path

from . import bars, gen, report, run, score, selftest, vocab
from .model import records_hash

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_BIN = ROOT / "target" / "release" / "redactd"


def parse_args(argv):
    ap = argparse.ArgumentParser(
        prog="eval-recall", description="Recall harness: seeded labelled records through `redactd redact`."
    )
    ap.add_argument("--seed", type=int, default=12, help="generator seed (default 12, the CI seed)")
    ap.add_argument("--records", type=int, default=6000, help="records to generate (default 6000)")
    ap.add_argument(
        "--bin",
        type=Path,
        default=DEFAULT_BIN,
        help="redactd binary (default target/release/redactd, built if missing)",
    )
    ap.add_argument(
        "--check",
        type=Path,
        metavar="FILE",
        help="check the figures against a bar set of FILE (scripts/eval/bars.json)",
    )
    ap.add_argument("--bars", default="ci", help="bar set for --check: goal (issue 12) or ci (the ratchet; default)")
    ap.add_argument(
        "--ratchet",
        type=Path,
        metavar="FILE",
        help="tighten the --bars set of FILE (not goal) to this run's figures plus margins; never loosens",
    )
    ap.add_argument("--json", type=Path, metavar="OUT", help="write every figure as JSON")
    ap.add_argument("--dump", type=Path, metavar="DIR", help="write inputs, outputs, labels, leaks.tsv and drops.tsv")
    ap.add_argument(
        "--self-test", action="store_true", help="check the scorer against fake binaries (no redactd needed)"
    )
    return ap.parse_args(argv)


def ensure_binary(path):
    if path.exists():
        return
    if path != DEFAULT_BIN:
        raise SystemExit(f"eval-recall: {path} does not exist")
    print(
        f"eval-recall: {path.relative_to(ROOT)} is missing; building it with cargo build --release --locked",
        file=sys.stderr,
    )
    subprocess.run(["cargo", "build", "--release", "--locked"], cwd=ROOT, check=True)


def main(argv):
    args = parse_args(argv)
    if args.self_test:
        return selftest.main()
    ensure_binary(args.bin)
    t0 = time.monotonic()
    records = gen.generate(args.seed, args.records, vocab.load(ROOT / "patterns" / "dict"))
    t1 = time.monotonic()
    try:
        outputs, redact_s = run.redact(args.bin, [r.line for r in records])
    except run.RunError as e:
        print(f"eval-recall: {e}", file=sys.stderr)
        return 1
    t2 = time.monotonic()
    figures, outcomes = score.score(records, outputs)
    t3 = time.monotonic()
    figures["seed"] = args.seed
    figures["records_sha256"] = records_hash(records)
    figures["seconds"] = {"generate": round(t1 - t0, 2), "redact": round(redact_s, 2), "score": round(t3 - t2, 2)}
    shown = args.bin.resolve().relative_to(ROOT) if args.bin.resolve().is_relative_to(ROOT) else args.bin
    header = (
        f"## eval-recall: seed {args.seed}, {len(records)} records, {shown}\n\n"
        f"generate {t1 - t0:.1f} s, redact {redact_s:.1f} s, score {t3 - t2:.1f} s; records sha256 {figures['records_sha256'][:16]}"
    )
    print(report.render(figures, header))
    if args.json:
        report.write_json(args.json, figures)
    if args.dump:
        report.dump(args.dump, records, outputs, outcomes)
        print(f"eval-recall: dump written to {args.dump}")
    if args.ratchet:
        if args.bars == "goal":
            raise SystemExit("eval-recall: the goal set is the issue's bars; only a ratchet set is tightened")
        sets = bars.load_sets(args.ratchet)
        sets[args.bars] = bars.ratchet(bars.load(args.ratchet, args.bars), figures)
        bars.write_sets(args.ratchet, sets)
        print(f"eval-recall: {args.ratchet} set {args.bars!r} tightened to this run")
    if args.check:
        results = bars.check(figures, bars.load(args.check, args.bars))
        print(f"### Bars: {args.bars} ({args.check})\n")
        print(report.render_check(results))
        failed = sum(1 for r in results if not r[3])
        print(f"\neval-recall: {len(results) - failed} passed, {failed} failed")
        return 1 if failed else 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
