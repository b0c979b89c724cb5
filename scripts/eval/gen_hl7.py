"""HL7 v2 ADT^A01 and ORU^R01 messages, segments joined by \\r on one line.

redactd keeps a lone \\r inside a line (only \\n ends a record), so a
message is one record as it would be on a topic. Identifiers sit at their
standard positions (PID-3, -5, -7, -11, -13, -19; NK1-2, -5; PV1-7;
IN1-36); the MSH header (timestamp, message type, control id) and every
segment and field separator must survive.
"""

import string

from . import checksums
from . import negatives as neg
from .gen_clinical import patient_lang
from .locales import LATIN_LANGS, personal_date
from .model import Collector

FACILITIES = ["HOSP", "STMARY", "MERCYGEN", "UNIVMED", "CITYCLIN"]
APPS = ["EPIC", "CERNER", "MEDITECH", "LABSYS", "ADTSRV"]
PLANS = [("BCBS01", "BLUE CROSS BLUE SHIELD"), ("AET02", "AETNA"), ("UHC03", "UNITED HEALTHCARE"), ("CIG04", "CIGNA")]
RELATIONS = ["SPO", "CHD", "PAR", "SIB", "FRN"]


def hl7_name(c, person, upper):
    """FAMILY^GIVEN^MIDDLE, family and given planted on their own."""
    last, first = (person.last.upper(), person.first.upper()) if upper else (person.last, person.first)
    c.pii("PERSON", last)
    c.pii("PERSON", first)
    return f"{last}^{first}^{first[0] if upper else ''}"


def hl7_phone(rng, src, lang):
    if lang == "en" and rng.random() < 0.5:
        return f"({rng.randint(201, 989)}){rng.randint(200, 999)}-{rng.randint(0, 9999):04d}"
    return src.phone(rng, lang)


def record(rng, src, _lang):
    lang = patient_lang(rng)
    c = Collector()
    pii, keep = c.pii, c.keep
    upper = rng.random() < 0.7
    t = neg.event_time(rng)
    msh7 = keep("timestamp", t.strftime("%Y%m%d%H%M%S"))
    oru = rng.random() < 0.35
    msg_type = keep("hl7_header", "ORU^R01^ORU_R01" if oru else "ADT^A01^ADT_A01")
    control = keep(
        "hl7_header",
        rng.choice(["MSG", "CTL", ""]) + "".join(rng.choice(string.digits) for _ in range(rng.randint(6, 10))),
    )
    fac = rng.choice(FACILITIES)
    segments = [f"MSH|^~\\&|{rng.choice(APPS)}|{fac}|{rng.choice(APPS)}|{fac}|{msh7}||{msg_type}|{control}|P|2.5.1"]

    patient = src.person(rng, lang)
    addr = src.address(rng, lang)
    for part in addr.parts():
        pii("LOCATION", part)
    dob = personal_date(rng, 1930, 2020)
    mrn = pii("MEDICAL_RECORD_NUMBER", "".join(rng.choice(string.digits) for _ in range(8)))
    name = hl7_name(c, patient, upper)
    birth = pii("DATE_TIME", dob.strftime("%Y%m%d"))
    sex = rng.choice("MF")
    address = f"{addr.street}^^{addr.city}^{addr.region}^{addr.postcode}^{'USA' if lang == 'en' else lang.upper()}"
    phone = pii("PHONE_NUMBER", hl7_phone(rng, src, lang))
    ssn = pii("US_SSN", src.national_id(rng, "en")[1])
    segments.append(
        f"PID|1||{mrn}^^^{fac}^MR||{name}||{birth}|{sex}|||{address}||{phone}|||{rng.choice('SMDW')}|||{ssn}"
    )

    if not oru or rng.random() < 0.3:
        kin = src.person(rng, lang)
        segments.append(
            f"NK1|1|{hl7_name(c, kin, upper)}|{rng.choice(RELATIONS)}||{pii('PHONE_NUMBER', hl7_phone(rng, src, lang))}"
        )
    doctor = src.person(rng, rng.choice(["en"] + LATIN_LANGS))
    doc_id = pii("US_NPI", checksums.npi(rng))
    ward = f"{rng.choice(['MED', 'SUR', 'ICU', 'CAR'])}^{rng.randint(100, 499)}^{rng.randint(1, 4)}"
    segments.append(
        f"PV1|1|{rng.choice('IOE')}|{ward}||||{doc_id}^{hl7_name(c, doctor, upper)}^^^Dr|||{rng.choice(['MED', 'SUR', 'CAR'])}"
    )

    if oru:
        code, title, unit, ref = rng.choice(neg.CLINICAL["hl7_labs"])
        value = f"{rng.randint(5, 300)}" if unit != "%" else f"{rng.randint(45, 110) / 10}"
        segments.append(f"OBR|1|{rng.randint(100000, 999999)}|{rng.randint(100000, 999999)}|{code}^{title}^LN")
        segments.append(
            f"OBX|1|NM|{code}^{title}^LN||{keep('lab_value', f'{value}|{unit}|{ref}')}|{rng.choice(['N', 'H', 'L'])}|||F"
        )
    else:
        plan_id, plan = rng.choice(PLANS)
        policy = pii(
            "HEALTH_PLAN_NUMBER",
            rng.choice(string.ascii_uppercase) + "".join(rng.choice(string.digits) for _ in range(9)),
        )
        fields = (
            ["IN1", "1", plan_id, str(rng.randint(1000, 9999)), plan]
            + [""] * 11
            + [name, "SEL", birth]
            + [""] * 17
            + [policy]
        )
        segments.append("|".join(fields))
    for seg in segments:
        keep("hl7_segment", seg[:3] + "|")
    return c.record("hl7", lang, "hl7", "\r".join(segments))
