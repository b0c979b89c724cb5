//! redactd: a streaming sanitizer for PII, PHI and secrets in the records
//! that feed ML training.
//!
//! # Layout
//!
//! Data flows one way:
//!
//! ```text
//! bytes ─▶ record::Record ─▶ detect::Engine::scan ─▶ policy::Policy ─▶ sanitized Record
//! ```
//!
//! - [`config`]: the config file (`redactd.yaml`), `REDACTD_*` overrides,
//!   errors naming the key path.
//! - [`detect`]: the engine (keyword prefilter, digit windows, regexes,
//!   validators, context, overlaps, deny-list dictionaries) and the
//!   pattern-pack format.
//! - [`record`]: JSON (arena, no recursion) and text records, their leaves
//!   and JSON Pointers.
//! - [`keys`]: keysets, `enc:v1:` tokens and keyed pseudonyms.
//! - [`policy`]: what happens to each finding (actions, per-type and
//!   per-path rules, allow-lists).
//! - [`sanitize`]: the record → engine → policy path that the CLI and the
//!   daemon share.
//! - [`metrics`]: every Prometheus metric, declared once; [`admin`]: the
//!   `/metrics`, `/healthz` and `/readyz` HTTP server.
//! - [`pipeline`]: the Kafka daemon (`redactd run`): batches, transactions,
//!   quarantine, shutdown.
//! - [`log`]: the daemon's structured logs (text or JSON lines).
//! - [`demo`]: `redactd demo`: the daemon on an in-process mock cluster
//!   fed with sample records.
//!
//! The binary (`src/main.rs`) is a thin CLI over this library; tests and
//! benches use the same code.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod admin;
pub mod config;
pub mod demo;
pub mod detect;
pub mod keys;
pub mod log;
pub mod metrics;
pub mod pipeline;
pub mod policy;
pub mod record;
pub mod sample;
pub mod sanitize;
mod util;
