"""Support chats in the harness languages, from the templates in templates.json.

A chat is an agent greeting, one or two customer messages in the language
(some written as `Label: value` fields), maybe the agent thanking the
customer by name, with speaker labels ("Agent: …", "Anna: …"). Some are
text lines, the rest a JSON envelope whose transcript has one turn per line.
"""

import string

from . import negatives as neg
from .locales import NATIONAL_IDS, TEMPLATES, format_date, name_list, personal_date
from .model import Collector, dump_json


class Slots:
    """Fills a template's {fields} for one customer, labelling each value once."""

    def __init__(self, rng, src, c, lang):
        self.rng, self.src, self.c, self.lang = rng, src, c, lang
        self.person = src.person(rng, lang)
        self.values = {}

    def available(self, field):
        if field == "natid":
            return self.lang in NATIONAL_IDS
        return True

    def get(self, field):
        if field not in self.values:
            self.values[field] = self._make(field)
        return self.values[field]

    def _make(self, field):
        rng, src, c, lang, p = self.rng, self.src, self.c, self.lang, self.person
        if field == "name":
            return c.pii("PERSON", p.full)
        if field == "first":
            return c.pii("PERSON", p.short)
        if field == "last":
            return c.pii("PERSON", p.last)
        if field == "phone":
            return c.pii("PHONE_NUMBER", src.phone(rng, lang))
        if field == "email":
            return c.pii("EMAIL_ADDRESS", src.email(rng, lang, p))
        if field == "address":
            addr = src.address(rng, lang)
            for part in addr.parts():
                c.pii("LOCATION", part)
            return addr.text
        if field == "dob":
            return c.pii("DATE_TIME", format_date(rng, lang, personal_date(rng)))
        if field == "names":
            # Companions as full names or, like "Kónya, Becker and Vasquez", surnames alone.
            others = [src.person(rng, lang) for _ in range(rng.randint(2, 3))]
            surnames = rng.random() < 0.4
            return name_list(lang, [c.pii("PERSON", o.last if surnames else o.full) for o in others])
        if field == "order":
            return c.keep("order_id", neg.order_id(rng))
        if field == "ticket":
            return c.keep("ticket_id", neg.ticket_id(rng))
        if field == "card":
            return c.pii("CREDIT_CARD", src.card(rng))
        if field == "iban":
            return c.pii("IBAN_CODE", src.iban(lang))
        if field == "natid":
            return c.pii(*src.national_id(rng, lang))
        raise KeyError(f"templates.json uses an unknown field {{{field}}}")

    def fill(self, template):
        return template.format(**{f: self.get(f) for f in fields_of(template)})


def fields_of(template):
    return [name for _, name, _, _ in string.Formatter().parse(template) if name]


def labelled_fields(rng, slots, lang):
    """`Label: value` pairs in the language, as customers paste them from a form."""
    labels = TEMPLATES[lang]["labels"]
    choices = [f for f in ("name", "phone", "email", "address", "dob", "natid") if f in labels and slots.available(f)]
    picked = rng.sample(choices, rng.randint(2, min(4, len(choices))))
    colon = "：" if lang in ("ja", "zh") and rng.random() < 0.5 else ": "
    sep = rng.choice(["; ", ", ", " | "])
    return sep.join(f"{labels[f]}{colon}{slots.get(f)}" for f in picked)


def record(rng, src, lang):
    c = Collector()
    data = TEMPLATES[lang]
    slots = Slots(rng, src, c, lang)
    usable = [t for t in data["customer"] if all(slots.available(f) for f in fields_of(t))]
    speaker = slots.get("first") + ": " if rng.random() < 0.7 else ""
    agent = data["agent"] + ": "
    turns = [agent + rng.choice(data["agent_open"])]
    messages = [slots.fill(t) for t in rng.sample(usable, rng.randint(1, 2))]
    if rng.random() < 0.4:
        messages.insert(rng.randint(0, len(messages)), labelled_fields(rng, slots, lang))
    turns.append(speaker + messages[0])
    if rng.random() < 0.5:
        turns.append(agent + slots.fill(rng.choice(data["agent_thanks"])))
    turns.extend(speaker + m for m in messages[1:])
    if rng.random() < 0.3:
        envelope = {
            "conversation_id": c.keep("uuid", neg.uuid(rng)),
            "channel": "chat",
            "started_at": c.keep("timestamp", neg.iso_timestamp(rng)),
            "lang": lang,
            "transcript": "\n".join(turns),
        }
        return c.record("chat", lang, "json", dump_json(envelope))
    return c.record("chat", lang, "text", " ".join(turns))
