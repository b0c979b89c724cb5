"""The record mix for a seed and a count.

Kinds are sized by share of the total and interleaved in a seeded order,
so a run sees all of them however few records it asks for; chats and JSON
events cycle through the languages so each gets the same share.
"""

import random

from . import gen_chat, gen_clinical, gen_hl7, gen_json, gen_log, gen_negatives, vocab
from .locales import LANGS, Sources
from .model import record_seed, rng_for

# kind -> (share of records, generator, languages cycled through or None)
KINDS = {
    "json_event": (0.24, gen_json.record, LANGS),
    "chat": (0.28, gen_chat.record, LANGS),
    "clinical_note": (0.15, gen_clinical.record, None),
    "hl7": (0.11, gen_hl7.record, None),
    "app_log": (0.13, gen_log.record, None),
    "negatives": (0.09, gen_negatives.record, None),
}


def plan(seed, count):
    """(kind, index within kind) for every record, in the order they are fed."""
    sizes = {kind: int(count * share) for kind, (share, _, _) in KINDS.items()}
    sizes["chat"] += count - sum(sizes.values())
    order = [(kind, i) for kind, n in sizes.items() for i in range(n)]
    random.Random(seed).shuffle(order)
    return order


def generate(seed, count, words):
    """`count` labelled records; PERSON values are marked against `words` (vocab.load)."""
    src = Sources()
    records = []
    for kind, index in plan(seed, count):
        _, make, langs = KINDS[kind]
        src.begin(record_seed(seed, kind, index))
        lang = langs[index % len(langs)] if langs else None
        rec = make(rng_for(seed, kind, index), src, lang)
        for p in rec.planted:
            p.oov = p.type == "PERSON" and vocab.is_oov(p.value, words)
        records.append(rec)
    return records
