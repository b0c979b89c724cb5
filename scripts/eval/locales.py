"""The harness languages and where their people, places and dates come from.

Names and places come from two generators: faker, whose person lists the
engine's dictionaries were built from (patterns/dict/, scripts/gen-dictionaries),
and mimesis, whose lists the engine does not ship. Each person or address
draws its source at random, so part of every language is out of the
engine's vocabulary, and the non-Latin scripts are out of it entirely.
"""

import json
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from faker import Faker
from mimesis import Address as MimesisAddress
from mimesis import Person as MimesisPerson
from mimesis.enums import Gender
from mimesis.locales import Locale

from . import checksums
from .model import record_seed

# Chat text, month names, date formats and field labels per language.
TEMPLATES = json.loads((Path(__file__).with_name("templates.json")).read_text(encoding="utf-8"))

# lang -> (faker locale, mimesis locale)
LOCALES = {
    "en": ("en_US", Locale.EN),
    "de": ("de_DE", Locale.DE),
    "fr": ("fr_FR", Locale.FR),
    "es": ("es_ES", Locale.ES),
    "it": ("it_IT", Locale.IT),
    "nl": ("nl_NL", Locale.NL),
    "pt": ("pt_BR", Locale.PT_BR),
    "pl": ("pl_PL", Locale.PL),
    "sv": ("sv_SE", Locale.SV),
    "ru": ("ru_RU", Locale.RU),
    "el": ("el_GR", Locale.EL),
    "ja": ("ja_JP", Locale.JA),
    "zh": ("zh_CN", Locale.ZH),
    "ko": ("ko_KR", Locale.KO),
}
LANGS = list(LOCALES)
LATIN_LANGS = [lang for lang in LANGS if lang not in ("ru", "el", "ja", "zh", "ko")]

# Share of people and addresses drawn from mimesis (not in patterns/dict/).
MIMESIS_SHARE = 0.45

# Family name first, and the separator between family and given name.
FAMILY_FIRST = {"ja": " ", "zh": "", "ko": ""}

# How an address is written in each country (street, postcode, city, region).
ADDRESS_FORMATS = {
    "en": "{street}, {city}, {region} {postcode}",
    "de": "{street}, {postcode} {city}",
    "fr": "{street}, {postcode} {city}",
    "es": "{street}, {postcode} {city}",
    "it": "{street}, {postcode} {city}",
    "nl": "{street}, {postcode} {city}",
    "pt": "{street}, {city}, CEP {postcode}",
    "pl": "{street}, {postcode} {city}",
    "sv": "{street}, {postcode} {city}",
    "ru": "{postcode}, {city}, {street}",
    "el": "{street}, {postcode} {city}",
    "ja": "〒{postcode} {region}{city}{street}",
    "zh": "{region}{city}{street}，邮编{postcode}",
    "ko": "{region} {city} {street} ({postcode})",
}

# A locale's national id: its entity id and the faker method that makes it
# (None: checksums makes it). The self-test checks every value against its
# validator (checksums.VALIDATORS).
NATIONAL_IDS = {
    "en": ("US_SSN", "ssn"),
    "fr": ("FR_NIR", "ssn"),
    "nl": ("NL_BSN", "ssn"),
    "pt": ("BR_CPF", "cpf"),
    "es": ("ES_NIF", None),
}


@dataclass
class Person:
    first: str
    last: str
    full: str
    # How the person is addressed in a chat ("Danke, Anna"; "田中様"; "김민준님").
    short: str
    female: bool


@dataclass
class Address:
    street: str
    city: str
    postcode: str
    region: str
    text: str

    def parts(self):
        """The pieces planted as LOCATION: street, city and postcode.

        Each is planted on its own, so a redactor that takes the street but
        leaves the city and postcode still leaks; the region (a state or
        prefecture) is not personal under Safe Harbor and is not planted.
        """
        return [self.street, self.city, self.postcode]


def ascii_fold(text):
    """Latin text without diacritics, for the local part of an email."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


class Sources:
    """faker and mimesis generators per language, reseeded per record.

    Reseeding per record (lazily, on first use) keeps each record a pure
    function of its seed, whatever else was generated before it.
    """

    def __init__(self):
        self._faker = {}
        self._mperson = {}
        self._maddress = {}
        self._seed = 0
        self._seeded = {}

    def begin(self, seed):
        self._seed = seed

    def _fresh(self, lang):
        if self._seeded.get(lang) != self._seed:
            self._seeded[lang] = self._seed
            s = record_seed(self._seed, "locale", lang)
            self.faker(lang, fresh=False).seed_instance(s)
            self._mimesis(lang)[0].reseed(s)
            self._mimesis(lang)[1].reseed(s + 1)

    def faker(self, lang, fresh=True):
        if lang not in self._faker:
            self._faker[lang] = Faker(LOCALES[lang][0])
        if fresh:
            self._fresh(lang)
        return self._faker[lang]

    def _mimesis(self, lang):
        if lang not in self._mperson:
            self._mperson[lang] = MimesisPerson(LOCALES[lang][1])
            self._maddress[lang] = MimesisAddress(LOCALES[lang][1])
        return self._mperson[lang], self._maddress[lang]

    def mimesis(self, lang):
        self._fresh(lang)
        return self._mimesis(lang)

    def person(self, rng, lang):
        mimesis = rng.random() < MIMESIS_SHARE
        female = rng.random() < 0.5
        if mimesis:
            mp, _ = self.mimesis(lang)
            gender = Gender.FEMALE if female else Gender.MALE
            first, last = mp.first_name(gender=gender), mp.last_name(gender=gender)
        else:
            fk = self.faker(lang)
            first = fk.first_name_female() if female else fk.first_name_male()
            last = fk.last_name_female() if female else fk.last_name_male()
        if lang in FAMILY_FIRST:
            full = last + FAMILY_FIRST[lang] + first
            short = {"ja": last}.get(lang, full)
        else:
            full, short = f"{first} {last}", first
            if lang == "ru" and not mimesis and rng.random() < 0.3:
                fk = self.faker(lang)
                middle = fk.middle_name_female() if female else fk.middle_name_male()
                full = f"{last} {first} {middle}"
        return Person(first, last, full, short, female)

    def address(self, rng, lang):
        if rng.random() < MIMESIS_SHARE:
            _, ma = self.mimesis(lang)
            street, city, postcode = ma.address(), ma.city(), ma.postal_code()
            region = ma.state(abbr=True) if lang == "en" else ma.state()
        else:
            street, city, postcode, region = self._faker_address(lang)
        text = ADDRESS_FORMATS[lang].format(street=street, city=city, postcode=postcode, region=region)
        return Address(street, city, postcode, region, text)

    def _faker_address(self, lang):
        fk = self.faker(lang)
        if lang == "ja":
            street = f"{fk.town()}{fk.chome()}{fk.ban()}{fk.gou()}"
            return street, fk.city(), fk.postcode(), fk.prefecture()
        if lang == "zh":
            return fk.street_address(), fk.city() + fk.district() + "区", fk.postcode(), fk.province()
        if lang == "ko":
            return f"{fk.street_name()} {fk.building_number()}", fk.city(), fk.postcode(), fk.province()
        if lang == "it":
            # faker's it_IT city() draws from a list built from a set, whose order
            # changes with the hash seed; its postcode table is ordered.
            postcode, rest = fk.postcode_city_province().split(", ", 1)
            city, province = rest.rsplit(" (", 1)
            return fk.street_address(), city, postcode, province.rstrip(")")
        region = fk.state_abbr() if lang == "en" else ""
        return fk.street_address(), fk.city(), fk.postcode(), region

    def phone(self, rng, lang):
        if rng.random() < MIMESIS_SHARE:
            return self.mimesis(lang)[0].phone_number()
        return self.faker(lang).phone_number()

    def email(self, rng, lang, person=None):
        """An address derived from the person's name when it is Latin, else a random one."""
        fk = self.faker(lang)
        if person and lang in LATIN_LANGS and rng.random() < 0.6:
            local = ascii_fold(f"{person.first}.{person.last}").lower().replace(" ", "").replace("'", "")
            if rng.random() < 0.5:
                local += str(rng.randint(1, 99))
            return f"{local}@{fk.free_email_domain()}"
        if rng.random() < MIMESIS_SHARE:
            return self.mimesis(lang)[0].email()
        return fk.email()

    def national_id(self, rng, lang):
        """(entity id, value) of the locale's national id, or None."""
        if lang not in NATIONAL_IDS:
            return None
        type_, method = NATIONAL_IDS[lang]
        if method is None:
            return type_, checksums.nif(rng)
        return type_, getattr(self.faker(lang), method)()

    def iban(self, lang):
        return self.faker(lang).iban()

    def card(self, rng):
        # Not faker's Maestro: its 12-digit numbers are shorter than any card detector's.
        number = self.faker("en").credit_card_number(
            card_type=rng.choice(["visa16", "mastercard", "amex", "discover", "jcb16"])
        )
        if rng.random() < 0.5 and len(number) == 16:
            sep = rng.choice(" -")
            number = sep.join(number[i : i + 4] for i in range(0, 16, 4))
        return number

    def ip(self, rng):
        fk = self.faker("en")
        return fk.ipv6() if rng.random() < 0.15 else fk.ipv4_public()


def personal_date(rng, first_year=1930, last_year=2006):
    """A date that relates to a person (a birth, an admission)."""
    return date.fromordinal(rng.randint(date(first_year, 1, 1).toordinal(), date(last_year, 12, 31).toordinal()))


def format_date(rng, lang, day, formats=None):
    """`day` written as people of `lang` write it (numeric or with the month name)."""
    data = TEMPLATES[lang]
    fmt = rng.choice(formats or data["date_formats"])
    return fmt.format(
        d=day.day,
        dd=f"{day.day:02d}",
        m=day.month,
        mm=f"{day.month:02d}",
        y=day.year,
        month=data["months"][day.month - 1],
    )


def name_list(lang, names):
    """The names as "A, B and C", in the language's own punctuation and conjunction."""
    data = TEMPLATES[lang]
    return data["list_sep"].join(names[:-1]) + data["and"] + names[-1]
