"""The bar sets of bars.json, the PASS/FAIL check, and the ratchet.

Each bar names a figure and a limit ("max" or "min"). `type_leak_pct` and
`category_keep_pct` apply to every type or category, with optional
per-name limits under "per" (the ci ratchet holds each one where it stands).
"""

import json
import re

# bar name -> (figure in score.score's output, or the per-name table it applies to)
SCALAR = {
    "micro_leak_pct": lambda f: f["micro_leak_pct"],
    "oov_person_recall_pct": lambda f: f["person"]["oov_recall_pct"],
    "keep_pct": lambda f: f["keep_pct"],
    "json_structure_failures": lambda f: f["json_structure_failures"],
    "hl7_structure_failures": lambda f: f["hl7_structure_failures"],
}
PER_NAME = {
    "type_leak_pct": ("by_type", "leak_pct"),
    "category_keep_pct": ("by_category", "keep_pct"),
}


# How far the ratchet leaves a limit from the measured figure.
MARGIN = {
    "micro_leak_pct": 2.0,
    "type_leak_pct": 2.0,
    "oov_person_recall_pct": 2.0,
    "keep_pct": 1.0,
    "category_keep_pct": 1.0,
    "json_structure_failures": 0,
    "hl7_structure_failures": 0,
}


def load_sets(path):
    return json.loads(open(path, encoding="utf-8").read())


def load(path, name):
    sets = load_sets(path)
    if name not in sets:
        raise SystemExit(f"eval-recall: {path} has no bar set {name!r} (has: {', '.join(sets)})")
    return sets[name]


def write_sets(path, sets):
    """bars.json with one line per limit, so a ratchet commit diffs readably."""
    text = json.dumps(sets, indent=2, ensure_ascii=False)
    text = re.sub(r'\{\n\s+("(?:max|min)": [0-9.]+)\n\s+\}', r"{\1}", text)
    open(path, "w", encoding="utf-8").write(text + "\n")


def passes(value, bar):
    if "max" in bar and value > bar["max"]:
        return False
    return not ("min" in bar and value < bar["min"])


def limit_text(bar):
    return " and ".join(f"{'<=' if k == 'max' else '>='} {bar[k]}" for k in ("max", "min") if k in bar)


def check(figures, bar_set):
    """[(bar, measured, limit text, passed)] for every bar of the set."""
    results = []
    for name, bar in bar_set.items():
        if name == "comment":
            continue
        if name in SCALAR:
            value = SCALAR[name](figures)
            results.append((name, value, limit_text(bar), passes(value, bar)))
        elif name in PER_NAME:
            table, column = PER_NAME[name]
            for key, row in figures[table].items():
                own = bar.get("per", {}).get(key, bar)
                results.append((f"{name}[{key}]", row[column], limit_text(own), passes(row[column], own)))
        else:
            raise SystemExit(f"eval-recall: unknown bar {name!r}")
    return results


def tightened(bar, value, margin):
    """`bar` moved toward `value` +- margin, never away from it (a ratchet only tightens)."""
    out = dict(bar)
    if "max" in bar:
        out["max"] = min(bar["max"], round(min(100.0, value + margin), 1))
    if "min" in bar:
        out["min"] = max(bar["min"], round(max(0.0, value - margin), 1))
    return out


def ratchet(bar_set, figures):
    """The set with every limit tightened to what `figures` show, plus the margins."""
    out = {}
    for name, bar in bar_set.items():
        if name == "comment":
            out[name] = bar
        elif name in SCALAR:
            out[name] = tightened(bar, SCALAR[name](figures), MARGIN[name])
        elif name in PER_NAME:
            table, column = PER_NAME[name]
            per = dict(bar.get("per", {}))
            default = {k: v for k, v in bar.items() if k != "per"}
            for key, row in figures[table].items():
                per[key] = tightened(per.get(key, default), row[column], MARGIN[name])
            out[name] = dict(default, per=dict(sorted(per.items())))
        else:
            raise SystemExit(f"eval-recall: unknown bar {name!r}")
    return out
