"""JSON events: checkout, signup and profile records from many locales.

The personal fields sit under the keys real producers use, in English or
in the locale's language, nested at different depths, beside the ids,
timestamps, versions and counts a sanitizer must leave alone; some events
use an email as an object key.
"""

from . import negatives as neg
from .locales import format_date, personal_date
from .model import Collector, dump_json

# Keys for the personal fields: English spellings, then each locale's own.
KEYS = {
    "name": ["name", "full_name", "fullName", "customer_name", "displayName"],
    "phone": ["phone", "phone_number", "mobile", "tel"],
    "email": ["email", "email_address", "contactEmail"],
    "address": ["address", "shipping_address", "home_address"],
    "dob": ["dob", "birth_date", "date_of_birth", "birthday"],
}
LOCAL_KEYS = {
    "de": {"name": "Name", "phone": "Telefon", "address": "Adresse", "dob": "Geburtsdatum"},
    "fr": {"name": "nom", "phone": "telephone", "address": "adresse", "dob": "date_naissance"},
    "es": {"name": "nombre", "phone": "telefono", "address": "direccion", "dob": "fecha_nacimiento"},
    "it": {"name": "nome", "phone": "telefono", "address": "indirizzo", "dob": "data_nascita"},
    "nl": {"name": "naam", "phone": "telefoon", "address": "adres", "dob": "geboortedatum"},
    "pt": {"name": "nome", "phone": "telefone", "address": "endereco", "dob": "data_nascimento"},
    "pl": {"name": "imie_nazwisko", "phone": "telefon", "address": "adres", "dob": "data_urodzenia"},
    "sv": {"name": "namn", "phone": "telefon", "address": "adress", "dob": "fodelsedatum"},
    "ru": {"name": "имя", "phone": "телефон", "address": "адрес", "dob": "дата_рождения"},
}
COUNTRY = {
    "en": "US",
    "de": "DE",
    "fr": "FR",
    "es": "ES",
    "it": "IT",
    "nl": "NL",
    "pt": "BR",
    "pl": "PL",
    "sv": "SE",
    "ru": "RU",
    "el": "GR",
    "ja": "JP",
    "zh": "CN",
    "ko": "KR",
}
EVENT_TYPES = ["checkout", "signup", "profile_update", "support_contact", "delivery_scheduled"]


def key(rng, lang, field):
    local = LOCAL_KEYS.get(lang, {})
    if field in local and rng.random() < 0.3:
        return local[field]
    return rng.choice(KEYS[field])


def user(rng, src, c, lang):
    """The customer object; each field is present most of the time, not always."""
    person = src.person(rng, lang)
    u = {"id": "usr_" + neg.hex_string(rng, 12)}
    if rng.random() < 0.3:
        u["first_name"] = c.pii("PERSON", person.first)
        u["last_name"] = c.pii("PERSON", person.last)
    else:
        u[key(rng, lang, "name")] = c.pii("PERSON", person.full)
    if rng.random() < 0.85:
        u[key(rng, lang, "email")] = c.pii("EMAIL_ADDRESS", src.email(rng, lang, person))
    if rng.random() < 0.8:
        u[key(rng, lang, "phone")] = c.pii("PHONE_NUMBER", src.phone(rng, lang))
    if rng.random() < 0.8:
        addr = src.address(rng, lang)
        for part in addr.parts():
            c.pii("LOCATION", part)
        if rng.random() < 0.5:
            u[key(rng, lang, "address")] = addr.text
        else:
            u[key(rng, lang, "address")] = {
                "street": addr.street,
                "city": addr.city,
                "postcode": addr.postcode,
                "country": COUNTRY[lang],
            }
    if rng.random() < 0.7:
        day = personal_date(rng)
        u[key(rng, lang, "dob")] = c.pii(
            "DATE_TIME", day.isoformat() if rng.random() < 0.6 else format_date(rng, lang, day)
        )
    national = src.national_id(rng, lang)
    if national and rng.random() < 0.3:
        u[{"US_SSN": "ssn", "FR_NIR": "nir", "NL_BSN": "bsn", "BR_CPF": "cpf", "ES_NIF": "dni"}[national[0]]] = c.pii(
            *national
        )
    return u


def record(rng, src, lang):
    c = Collector()
    event = {
        "event_id": c.keep("uuid", neg.uuid(rng)),
        "type": rng.choice(EVENT_TYPES),
        "ts": c.keep("timestamp", neg.iso_timestamp(rng)),
        "ts_ms": int(c.keep("epoch_ms", str(neg.epoch_ms(rng)))),
        "schema_version": c.keep("semver", neg.semver(rng)),
    }
    body = user(rng, src, c, lang)
    depth = rng.randrange(3)
    if depth == 0:
        event["user"] = body
    elif depth == 1:
        event["payload"] = {"customer": body, "locale": f"{lang}-{COUNTRY[lang]}"}
    else:
        event["data"] = {"order": {"id": c.keep("order_id", neg.order_id(rng)), "customer": body}}
    event["client"] = {
        "ip": c.pii("IP_ADDRESS", src.ip(rng)),
        "app_version": c.keep("semver", neg.semver(rng)),
        "session_ms": rng.randint(200, 900000),
    }
    event["items"] = [
        {"sku": c.keep("sku", neg.sku(rng)), "qty": rng.randint(1, 5), "price_cents": rng.randint(199, 49999)}
        for _ in range(rng.randint(1, 3))
    ]
    if rng.random() < 0.25:
        if lang not in ("en", "ja", "zh", "ko", "ru") and rng.random() < 0.5:
            event["payment"] = {"method": "sepa", "iban": c.pii("IBAN_CODE", src.iban(lang))}
        else:
            event["payment"] = {"method": "card", "card_number": c.pii("CREDIT_CARD", src.card(rng))}
    if rng.random() < 0.2:
        # An email used as an object key (a per-subscriber map).
        other = src.person(rng, lang)
        mail = c.key("EMAIL_ADDRESS", src.email(rng, lang, other))
        holder = event if rng.random() < 0.3 else event.setdefault("subscribers", {})
        holder[mail] = {"score": rng.randint(1, 100), "since": c.keep("timestamp", neg.iso_timestamp(rng))}
    event["counts"] = {"page_views": rng.randint(0, 400), "retries": rng.randint(0, 3)}
    return c.record("json_event", lang, "json", dump_json(event))
