//! The record rules that patterns alone miss (DESIGN §4): labelled fields
//! in text, every date of a clinical record, and HL7 v2 fields by
//! position. Each reports through a detector of its own (`label-person`,
//! `clinical-date`, `hl7-person`...), so findings name what found them.

use super::cjk_address;
use super::dates::Dates;
use super::hl7::{self, Hl7};
use super::labels::{Labelled, Labels};
use super::names::Names;
use super::people;

/// A labelled value outscores the pattern that read it as something else
/// (a birth date read as a phone number).
const LABEL_SCORE: f32 = 0.97;
/// Dates in clinical texts: PHI by HIPAA Safe Harbor, whatever the context.
const CLINICAL_DATE_SCORE: f32 = 0.9;
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
        if !text.is_ascii() {
            people::cjk_lists(text, &mut s.spans);
        }
        for &(st, en) in &s.spans {
            found(self.people, st, en, people::SCORE);
        }
        if !text.is_ascii() {
            s.spans.clear();
            cjk_address::find(text, &mut s.spans);
            for &(st, en) in &s.spans {
                found(self.cjk_address, st, en, ADDRESS_SCORE);
            }
        }
        if self.labels.is_clinical(text) {
            s.dates.clear();
            self.dates.find_all(text, &mut s.dates);
            for &(st, en) in &s.dates {
                found(self.clinical_dates, st, en, CLINICAL_DATE_SCORE);
            }
        }
    }
}
