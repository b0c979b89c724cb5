//! The record rules that patterns alone miss (DESIGN §4): labelled fields
//! in text, every date of a clinical record, and HL7 v2 fields by
//! position. Each reports through a detector of its own (`label-person`,
//! `clinical-date`, `hl7-person`...), so findings name what found them.

use super::cjk_address;
use super::dates::Dates;
use super::hl7::{self, Hl7};
use super::labels::{followed_by_time, Labelled, Labels};
use super::names::Names;
use super::people;

/// A labelled value outscores the pattern that read it as something else
/// (a birth date read as a phone number).
const LABEL_SCORE: f32 = 0.97;
/// Dates in clinical texts: PHI by HIPAA Safe Harbor, whatever the context.
const CLINICAL_DATE_SCORE: f32 = 0.9;
/// A date in prose outside clinical texts: above the engine's 0.5, under
/// every pattern of a precise type.
const PROSE_DATE_SCORE: f32 = 0.6;
/// A CJK address by its administrative markers.
const ADDRESS_SCORE: f32 = 0.85;
/// A field by its HL7 position is certain.
const HL7_SCORE: f32 = 1.0;

/// The compiled rules and the engine detector each reports through.
#[derive(Debug)]
pub struct Rules {
    pub labels: Labels,
    pub dates: Dates,
    pub hl7: Hl7,
    /// Detector index per label type, per HL7 type, and for clinical dates.
    pub label_detectors: Vec<u32>,
    pub hl7_detectors: Vec<u32>,
    pub clinical_dates: u32,
    /// The detector of dates written in prose (`date-in-text`).
    pub prose_dates: u32,
    /// The detector of names in lists and speaker labels (`person-context`).
    pub people: u32,
    /// The detector of CJK and Hangul street addresses (`cjk-address`).
    pub cjk_address: u32,
}

/// Reusable buffers.
#[derive(Debug, Default)]
pub struct RuleScratch {
    labelled: Vec<Labelled>,
    dates: Vec<(usize, usize)>,
    fields: Vec<hl7::Field>,
    spans: Vec<(usize, usize)>,
}

impl Rules {
    /// Calls `found(detector, start, end, score)` for every value the
    /// rules find in `text`.
    pub fn find(
        &self,
        text: &[u8],
        text_record: bool,
        names: &Names,
        s: &mut RuleScratch,
        mut found: impl FnMut(u32, usize, usize, f32),
    ) {
        s.fields.clear();
        self.hl7.find(text, &mut s.fields);
        for f in &s.fields {
            if let Some(&d) = self.hl7_detectors.get(f.ty as usize) {
                found(d, f.start, f.end, HL7_SCORE);
            }
        }
        s.labelled.clear();
        self.labels.find(text, &self.dates, names, &mut s.labelled);
        for l in &s.labelled {
            if let Some(&d) = self.label_detectors.get(l.ty as usize) {
                found(d, l.start, l.end, LABEL_SCORE);
            }
        }
        s.spans.clear();
        people::lists(text, &self.labels, names, &mut s.spans);
        people::speakers(text, &self.labels, names, &mut s.spans);
        people::honorifics(text, &mut s.spans);
        let ascii = text.is_ascii();
        if !ascii {
            people::cjk_lists(text, &mut s.spans);
        }
        for &(st, en) in &s.spans {
            found(self.people, st, en, people::SCORE);
        }
        if !ascii {
            s.spans.clear();
            cjk_address::find(text, &mut s.spans);
            for &(st, en) in &s.spans {
                found(self.cjk_address, st, en, ADDRESS_SCORE);
            }
        }
        // Dates: in a clinical text every one but a bare year (HIPAA Safe
        // Harbor); elsewhere a date written in prose is still a date
        // (`Today is 5-20-2021`, an appointment, a birthday), but a date
        // with a clock time is an event's timestamp and a value that is
        // only a date is left to its key.
        let clinical = self.labels.is_clinical(text);
        // A text record that is only a date is a date too; a JSON value
        // that is only a date is left to its key (`order_date`).
        let prose = text.contains(&b' ') || text_record;
        if clinical || prose {
            s.dates.clear();
            self.dates.find_all(text, &mut s.dates);
            for &(st, en) in &s.dates {
                if clinical {
                    found(self.clinical_dates, st, en, CLINICAL_DATE_SCORE);
                } else if !timestamp(text, st, en) && !version_like(&text[st..en]) {
                    found(self.prose_dates, st, en, PROSE_DATE_SCORE);
                }
            }
        }
    }
}

/// Whether the date at `st..en` is part of a timestamp: a clock time
/// right after it (`2024-05-01 10:22:13`, `Aug 19 19:18:07`) or right
/// before it (`10:22 01/05/2024`).
fn timestamp(text: &[u8], st: usize, en: usize) -> bool {
    if followed_by_time(text, en) {
        return true;
    }
    let before = &text[..st];
    let t = before.strip_suffix(b" ").unwrap_or(before);
    t.len() >= 5 && {
        let w = &t[t.len() - 5..];
        w[0].is_ascii_digit() && w[1].is_ascii_digit() && w[2] == b':' && w[3].is_ascii_digit()
    }
}

/// `10.24.15` is a version far more often than a date in prose: a dotted
/// date needs its four-digit year there, and eight bare digits are not one.
fn version_like(d: &[u8]) -> bool {
    // `Gecko/20100101`, build numbers: the compact `yyyymmdd` form is a
    // date only where a field says so (a label, HL7, a clinical text).
    if d.iter().all(u8::is_ascii_digit) {
        return true;
    }
    d.iter().all(|b| b.is_ascii_digit() || *b == b'.')
        && d.iter().filter(|&&b| b == b'.').count() == 2
        && d.rsplit(|&b| b == b'.')
            .next()
            .is_some_and(|y| y.len() == 2)
}
