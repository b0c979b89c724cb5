//! The one integration-test binary: a module per area, shared helpers in
//! `util`.

mod bad_input;
mod cli;
mod conformance;
mod demo;
mod fuzz_mirror;
mod helm;
mod kafka;
mod packs;
mod policy;
mod policy_cli;
mod prometheus;
mod recall;
mod record_path;
mod util;
