//! The one integration-test binary: a module per area, shared helpers in
//! `util`.

mod cli;
mod conformance;
mod helm;
mod packs;
mod prometheus;
mod util;
