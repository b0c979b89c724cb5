"""Readable tables (markdown-friendly), the --json figures and the --dump files.

The tables never show a planted value: they are what CI logs keep. Values
appear only in the --dump directory, which is for engine work (they are
synthetic, but a log is no place to get used to seeing them).
"""

import json
from pathlib import Path


def fmt_pct(value):
    return "-" if value is None else f"{value:.2f}"


def table(headers, rows):
    """An aligned markdown table; columns that hold numbers are right-aligned."""
    cells = [[str(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]
    numeric = [
        bool(cells) and all(r[i] == "-" or r[i].replace(".", "", 1).isdigit() for r in cells)
        for i in range(len(headers))
    ]

    def line(values):
        return "| " + " | ".join(v.rjust(w) if n else v.ljust(w) for v, w, n in zip(values, widths, numeric)) + " |"

    sep = "|" + "|".join(("-" * (w + 1) + ":") if n else ("-" * (w + 2)) for w, n in zip(widths, numeric)) + "|"
    return "\n".join([line(headers), sep] + [line(r) for r in cells])


def group_rows(tab):
    return [
        [
            key,
            r["records"],
            r["planted"],
            r["leaked"],
            fmt_pct(r["leak_pct"]),
            r["keep"],
            r["kept"],
            fmt_pct(r["keep_pct"]),
        ]
        for key, r in sorted(tab.items(), key=lambda kv: -(kv[1]["leak_pct"] or 0))
    ]


def render(f, header):
    p = f["person"]
    worst_type = max(f["by_type"].items(), key=lambda kv: kv[1]["leak_pct"])
    worst_cat = min(f["by_category"].items(), key=lambda kv: kv[1]["keep_pct"])
    summary = [
        ["micro leak %", f"{fmt_pct(f['micro_leak_pct'])} ({f['leaked']} of {f['planted']} planted values)"],
        ["worst type", f"{worst_type[0]} {fmt_pct(worst_type[1]['leak_pct'])} %"],
        ["PERSON recall %", f"{fmt_pct(p['recall_pct'])} ({p['planted'] - p['leaked']} of {p['planted']})"],
        [
            "OOV PERSON recall %",
            f"{fmt_pct(p['oov_recall_pct'])} ({p['oov_planted'] - p['oov_leaked']} of {p['oov_planted']})",
        ],
        [
            "PERSON part leaks %",
            f"{fmt_pct(p['part_leak_pct'])} ({p['part_leaked']} names with a 3+ char token left as a word; not in the bars)",
        ],
        ["keep %", f"{fmt_pct(f['keep_pct'])} ({f['kept']} of {f['keep']} hard negatives)"],
        ["worst category", f"{worst_cat[0]} {fmt_pct(worst_cat[1]['keep_pct'])} %"],
        ["JSON structure failures", f"{f['json_structure_failures']} of {f['json_records']} JSON records"],
        ["HL7 structure failures", f"{f['hl7_structure_failures']} of {f['hl7_records']} HL7 messages"],
    ]
    types = [
        [t, r["planted"], r["leaked"], fmt_pct(r["leak_pct"])]
        for t, r in sorted(f["by_type"].items(), key=lambda kv: (-kv[1]["leak_pct"], kv[0]))
    ]
    cats = [
        [c, r["keep"], r["kept"], fmt_pct(r["keep_pct"])]
        for c, r in sorted(f["by_category"].items(), key=lambda kv: (kv[1]["keep_pct"], kv[0]))
    ]
    group_head = ["records", "planted", "leaked", "leak %", "negatives", "kept", "keep %"]
    kinds = sorted(k for k, row in f["by_kind"].items() if row["planted"])
    matrix = [
        [lang] + [f"{fmt_pct(row[k]['leak_pct'])} ({row[k]['planted']})" if k in row else "" for k in kinds]
        for lang, row in sorted(f["by_lang_kind"].items())
        if lang != "-"
    ]
    parts = [
        header,
        table(["figure", "value"], summary),
        "### Leak per type",
        table(["type", "planted", "leaked", "leak %"], types),
        "### Per record kind",
        table(["kind"] + group_head, group_rows(f["by_kind"])),
        "### Per language (records' locale; '-' = negatives-only records)",
        table(["lang"] + group_head, group_rows(f["by_lang"])),
        "### Leak % per language and kind (planted values in brackets)",
        table(["lang"] + kinds, matrix),
        "### Keep per hard-negative category",
        table(["category", "negatives", "kept", "keep %"], cats),
    ]
    return "\n\n".join(parts) + "\n"


def render_check(results):
    rows = [
        [name, fmt_pct(v) if isinstance(v, float) else v, limit, "PASS" if ok else "FAIL"]
        for name, v, limit, ok in results
    ]
    return table(["bar", "measured", "limit", "result"], rows)


def write_json(path, figures):
    Path(path).write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _cell(text):
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\r", "\\r").replace("\n", "\\n")


def context(line, value, width=70):
    at = line.find(value)
    if at < 0:
        return line[: 2 * width]
    return line[max(0, at - width) : at + len(value) + width]


def dump(directory, records, outputs, outcomes):
    """input.txt, output.txt, labels.jsonl, leaks.tsv and drops.tsv, for engine work."""
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    (d / "input.txt").write_text("".join(r.line + "\n" for r in records), encoding="utf-8")
    (d / "output.txt").write_text("".join(o + "\n" for o in outputs), encoding="utf-8")
    with open(d / "labels.jsonl", "w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r.to_json(), ensure_ascii=False) + "\n")
    rows = enumerate(zip(records, outputs, outcomes))
    leaks = [
        [i, r.kind, r.lang, p.type, "oov" if p.oov else "", p.value, context(out, p.value)]
        for i, (r, out, o) in rows
        for p in o.leaks
    ]
    _write_tsv(d / "leaks.tsv", ["record", "kind", "lang", "type", "oov", "value", "output context"], leaks)
    drops = [
        [i, r.kind, r.lang, k.category, k.value, context(r.line, k.value), out[:300]]
        for i, (r, out, o) in enumerate(zip(records, outputs, outcomes))
        for k in o.drops
    ]
    _write_tsv(d / "drops.tsv", ["record", "kind", "lang", "category", "value", "input context", "output"], drops)


def _write_tsv(path, header, rows):
    with open(path, "w", encoding="utf-8") as fh:
        for row in [header] + rows:
            fh.write("\t".join(_cell(str(c)) for c in row) + "\n")
