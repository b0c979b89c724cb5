//! The built-in packs as a whole: size, coverage of the entity types the
//! design and the corpus name, and every detector's own examples.

use std::collections::BTreeSet;

use redactd::detect::{Engine, EngineBuilder};

/// DESIGN §3: the minimum set of entity types.
const DESIGN_TYPES: &[&str] = &[
    "PERSON",
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "CREDIT_CARD",
    "IBAN_CODE",
    "US_SSN",
    "US_ITIN",
    "US_PASSPORT",
    "US_DRIVER_LICENSE",
    "US_BANK_NUMBER",
    "ABA_ROUTING_NUMBER",
    "IP_ADDRESS",
    "MAC_ADDRESS",
    "URL",
    "CRYPTO",
    "DATE_TIME",
    "LOCATION",
    "UK_NHS",
    "UK_NINO",
    "ES_NIF",
    "IT_FISCAL_CODE",
    "SG_NRIC_FIN",
    "AU_ABN",
    "AU_ACN",
    "AU_TFN",
    "AU_MEDICARE",
    "IN_PAN",
    "IN_AADHAAR",
    "FR_NIR",
    "BR_CPF",
    "BR_CNPJ",
    "NL_BSN",
    "BE_NATIONAL_NUMBER",
    "PT_NIF",
    "CH_AHV",
    "DK_CPR",
    "NO_FODSELSNUMMER",
    "MX_CURP",
    "JP_MY_NUMBER",
    "CN_RESIDENT_ID",
    "MEDICAL_RECORD_NUMBER",
    "US_NPI",
    "US_DEA_NUMBER",
    "US_MBI",
    "ICD10_CODE",
    "MEDICAL_LICENSE",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "GITHUB_TOKEN",
    "GITLAB_TOKEN",
    "SLACK_TOKEN",
    "SLACK_WEBHOOK_URL",
    "STRIPE_KEY",
    "GOOGLE_API_KEY",
    "GCP_SERVICE_ACCOUNT_KEY",
    "AZURE_STORAGE_KEY",
    "OPENAI_API_KEY",
    "ANTHROPIC_API_KEY",
    "TWILIO_KEY",
    "SENDGRID_KEY",
    "NPM_TOKEN",
    "PYPI_TOKEN",
    "JWT",
    "PRIVATE_KEY",
    "PASSWORD",
    "SECRET",
];

fn engine() -> Engine {
    EngineBuilder::new()
        .check_examples(false)
        .build()
        .expect("built-in packs load")
}

fn detector_types(e: &Engine) -> BTreeSet<String> {
    e.detectors()
        .iter()
        .map(|d| e.entity_name(d.entity()).to_string())
        .collect()
}

#[test]
fn every_example_of_every_detector_holds() {
    let e = engine();
    let failures = e.test_examples();
    let text: Vec<String> = failures
        .iter()
        .map(|f| format!("{}: {}", f.detector, f.reason))
        .collect();
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        text.join("\n")
    );
}

#[test]
fn at_least_200_detectors() {
    let n = engine().detectors().len();
    assert!(n >= 200, "{n} detectors");
}

#[test]
fn every_design_type_has_a_detector() {
    let have = detector_types(&engine());
    let missing: Vec<_> = DESIGN_TYPES
        .iter()
        .filter(|t| !have.contains(**t))
        .collect();
    assert!(missing.is_empty(), "no detector for {missing:?}");
}

#[test]
fn every_type_presidio_tests_has_a_detector() {
    let have = detector_types(&engine());
    let corpus = std::fs::read_to_string(crate::conformance::corpus_dir().join("presidio.jsonl"))
        .expect("shared corpus at ../shared/corpus/presidio.jsonl");
    let mut wanted = BTreeSet::new();
    for line in corpus.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("corpus line is JSON");
        for t in v["tested_types"].as_array().into_iter().flatten() {
            if let Some(t) = t.as_str() {
                wanted.insert(t.to_string());
            }
        }
    }
    let missing: Vec<_> = wanted.iter().filter(|t| !have.contains(*t)).collect();
    assert!(missing.is_empty(), "no detector for {missing:?}");
}
