//! The one integration-test binary: a module per area, shared helpers in
//! `util`.

mod cli;
mod conformance;
mod kafka;
mod packs;
mod util;
