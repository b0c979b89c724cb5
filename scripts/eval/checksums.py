"""Check digits: valid values to plant, invalid look-alikes to keep.

A planted card, NPI, IBAN or national id must pass its checksum (an engine
may rightly ignore a number that fails it), and the hard-negative
look-alikes must fail theirs. The validators are also what the self-test
runs over every generated value.
"""

import string

BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
NIF_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


def digits_of(text):
    return "".join(ch for ch in text if ch.isdigit())


def luhn_ok(number):
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def luhn_digit(body):
    """The digit that makes body + digit pass Luhn."""
    for d in "0123456789":
        if luhn_ok(body + d):
            return d
    raise AssertionError("unreachable: one of ten digits always fits")


def card_ok(text):
    d = digits_of(text)
    return 13 <= len(d) <= 19 and luhn_ok(d)


def bad_card(rng):
    """16 digits with a card's prefix and grouping that fail Luhn."""
    body = rng.choice("3456") + "".join(rng.choice(string.digits) for _ in range(14))
    last = (int(luhn_digit(body)) + rng.randint(1, 9)) % 10
    d = body + str(last)
    if rng.random() < 0.5:
        return " ".join(d[i : i + 4] for i in range(0, 16, 4))
    return d


def npi(rng):
    """A US NPI: 9 digits starting 1 or 2, Luhn digit over 80840 + body."""
    body = rng.choice("12") + "".join(rng.choice(string.digits) for _ in range(8))
    return body + luhn_digit("80840" + body)


def npi_ok(text):
    return len(text) == 10 and text.isdigit() and luhn_ok("80840" + text)


def iban_ok(text):
    s = text.replace(" ", "").upper()
    if len(s) < 15 or not s[:2].isalpha() or not s[2:4].isdigit():
        return False
    moved = s[4:] + s[:4]
    return int("".join(str(int(ch, 36)) for ch in moved)) % 97 == 1


def us_ssn_ok(text):
    d = digits_of(text)
    if len(d) != 9:
        return False
    area, group, serial = d[:3], d[3:5], d[5:]
    return area not in ("000", "666") and area[0] != "9" and group != "00" and serial != "0000"


def bad_ssn(rng):
    """SSN-shaped (ddd-dd-dddd) but never issued: area 000 or 666, group 00, serial 0000."""
    area = f"{rng.randint(1, 899):03d}"
    group = f"{rng.randint(1, 99):02d}"
    serial = f"{rng.randint(1, 9999):04d}"
    which = rng.randrange(4)
    if which == 0:
        area = "000"
    elif which == 1:
        area = "666"
    elif which == 2:
        group = "00"
    else:
        serial = "0000"
    return f"{area}-{group}-{serial}"


def nir_ok(text):
    """FR NIR: 13-character body (2A/2B for Corsica) + key 97 - body mod 97."""
    s = text.replace(" ", "").upper()
    if len(s) != 15:
        return False
    body = s[:13].replace("2A", "19").replace("2B", "18")
    return body.isdigit() and s[13:].isdigit() and 97 - int(body) % 97 == int(s[13:])


def cpf_ok(text):
    d = [int(ch) for ch in digits_of(text)]
    if len(d) != 11 or len(set(d)) == 1:
        return False
    for n in (9, 10):
        check = sum(d[i] * (n + 1 - i) for i in range(n)) * 10 % 11 % 10
        if check != d[n]:
            return False
    return True


def bsn_ok(text):
    """NL BSN: the 11-test (weights 9..2, last digit -1)."""
    if len(text) != 9 or not text.isdigit():
        return False
    d = [int(ch) for ch in text]
    return (sum(d[i] * (9 - i) for i in range(8)) - d[8]) % 11 == 0


def nif(rng):
    """An ES DNI: faker's es_ES nif() draws from the global random, so not seedable."""
    number = f"{rng.randrange(10**8):08d}"
    return number + NIF_LETTERS[int(number) % 23]


def nif_ok(text):
    """ES DNI/NIF: 8 digits and the letter of their remainder mod 23."""
    return len(text) == 9 and text[:8].isdigit() and NIF_LETTERS[int(text[:8]) % 23] == text[8]


def github_token(rng):
    """ghp_ + 30 random base62 + 6-character base62 CRC32 of those 30."""
    import zlib

    entropy = "".join(rng.choice(BASE62) for _ in range(30))
    crc = zlib.crc32(entropy.encode())
    check = ""
    for _ in range(6):
        crc, rem = divmod(crc, 62)
        check = BASE62[rem] + check
    return "ghp_" + entropy + check


def github_token_ok(text):
    import zlib

    if not text.startswith("ghp_") or len(text) != 40:
        return False
    crc = 0
    for ch in text[34:]:
        crc = crc * 62 + BASE62.index(ch)
    return crc == zlib.crc32(text[4:34].encode())


# Validators per planted type; the self-test runs each over every planted value.
VALIDATORS = {
    "CREDIT_CARD": card_ok,
    "US_NPI": npi_ok,
    "IBAN_CODE": iban_ok,
    "US_SSN": us_ssn_ok,
    "FR_NIR": nir_ok,
    "BR_CPF": cpf_ok,
    "NL_BSN": bsn_ok,
    "ES_NIF": nif_ok,
    "GITHUB_TOKEN": github_token_ok,
}

# Validators that every hard negative of a category must FAIL.
INVALID = {"invalid_card": card_ok, "invalid_ssn": us_ssn_ok}
