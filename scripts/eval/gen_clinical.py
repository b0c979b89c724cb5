"""Clinical notes: label lines and narrative, as one text line or a JSON note.

The header lines carry the identifiers Safe Harbor names (patient, dates,
MRN, phone, address, SSN, attending doctor and NPI, ICD-10 codes); the
narrative repeats the patient's name and dates the way clinicians write
them, next to drugs, doses, vitals and lab values that must survive.
"""

import string
from datetime import timedelta

from . import checksums
from . import negatives as neg
from .locales import LATIN_LANGS, format_date, personal_date
from .model import Collector, dump_json

# How US clinicians write dates; every one of them is PHI in a clinical record.
US_FORMATS = ["{mm}/{dd}/{y}", "{m}/{d}/{y}", "{y}-{mm}-{dd}", "{month} {d}, {y}", "{mm}-{dd}-{y}"]


def us_date(rng, day):
    return format_date(rng, "en", day, US_FORMATS)


def mrn(rng):
    digits = "".join(rng.choice(string.digits) for _ in range(rng.randint(7, 10)))
    return rng.choice([digits, digits, f"MR{digits}", f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"])


def patient_lang(rng):
    """Half the patients have US names, the rest names of any Latin-script locale."""
    return "en" if rng.random() < 0.5 else rng.choice(LATIN_LANGS)


def written_name(rng, person):
    style = rng.randrange(3)
    if style == 0:
        return f"{person.last.upper()}, {person.first.upper()}"
    if style == 1:
        return f"{person.last}, {person.first}"
    return person.full


def record(rng, src, _lang):
    lang = patient_lang(rng)
    c = Collector()
    patient = src.person(rng, lang)
    doctor = src.person(rng, rng.choice(["en"] + LATIN_LANGS))
    dob = personal_date(rng, 1935, 2005)
    admitted = personal_date(rng, 2019, 2025)
    discharged = admitted + timedelta(days=rng.randint(1, 12))
    icd, icd_title = rng.choice(neg.CLINICAL["icd10"])
    addr = src.address(rng, lang)
    for part in addr.parts():
        c.pii("LOCATION", part)
    pii = c.pii
    header = [
        f"{rng.choice(['PATIENT:', 'Patient:', 'Patient Name:', 'Name:'])} {pii('PERSON', written_name(rng, patient))}",
        f"{rng.choice(['DOB:', 'Date of Birth:', 'D.O.B.:'])} {pii('DATE_TIME', us_date(rng, dob))}",
        f"{rng.choice(['MRN:', 'MRN#', 'Medical record number:'])} {pii('MEDICAL_RECORD_NUMBER', mrn(rng))}",
        f"{rng.choice(['Phone:', 'Tel:', 'Contact:'])} {pii('PHONE_NUMBER', src.phone(rng, lang))}",
        f"Address: {addr.text}",
        f"{rng.choice(['Admission date:', 'Admitted:'])} {pii('DATE_TIME', us_date(rng, admitted))}",
        f"Discharge date: {pii('DATE_TIME', us_date(rng, discharged))}",
        f"Attending: Dr. {pii('PERSON', doctor.full)}, NPI {pii('US_NPI', checksums.npi(rng))}",
        f"Dx: {c.keep('diagnosis_text', icd_title)} ({pii('ICD10_CODE', icd)})",
    ]
    if rng.random() < 0.4:
        header.insert(4, f"SSN: {pii('US_SSN', src.national_id(rng, 'en')[1])}")
    narrative = narrative_sentences(rng, src, c, lang, patient, doctor, admitted, discharged)
    if rng.random() < 0.5:
        note = {
            "note_id": c.keep("uuid", neg.uuid(rng)),
            "type": rng.choice(["discharge_summary", "progress_note", "h_and_p"]),
            "text": "\n".join(header + narrative),
        }
        return c.record("clinical_note", lang, "json", dump_json(note))
    return c.record("clinical_note", lang, "text", " ".join(header + narrative))


def narrative_sentences(rng, src, c, lang, patient, doctor, admitted, discharged):
    pii, keep = c.pii, c.keep
    title = rng.choice(["Ms.", "Mrs."]) if patient.female else "Mr."
    age = rng.randint(19, 88)
    complaint = rng.choice(neg.CLINICAL["complaints"])
    freq = rng.choice(neg.CLINICAL["frequencies"])
    sentences = [
        f"{title} {pii('PERSON', patient.last)} is a {age}-year-old admitted on {pii('DATE_TIME', us_date(rng, admitted))} with {complaint}.",
        f"Started on {keep('medication', neg.medication(rng))} {freq} and {keep('medication', neg.medication(rng))}.",
        f"Vitals: {keep('vitals', neg.vitals(rng))}, {keep('vitals', neg.vitals(rng))}, {keep('vitals', neg.vitals(rng))}.",
        f"Labs: {keep('lab_value', neg.lab_value(rng))}, {keep('lab_value', neg.lab_value(rng))}.",
    ]
    if rng.random() < 0.6:
        sentences.append(f"{pii('PERSON', patient.first)} tolerated the diet and ambulated without assistance.")
    if rng.random() < 0.5:
        kin = src.person(rng, lang)
        relation = rng.choice(["spouse", "emergency contact", "next of kin"])
        sentences.append(
            f"Patient's {relation} {pii('PERSON', kin.full)} can be reached at {pii('PHONE_NUMBER', src.phone(rng, lang))}."
        )
    sentences.append(
        f"Discharged home on {pii('DATE_TIME', us_date(rng, discharged))} in stable condition; follow up with Dr. {pii('PERSON', doctor.last)} in {rng.randint(1, 6)} weeks."
    )
    return sentences
