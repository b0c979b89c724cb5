//! The one integration-test binary: modules per area.

mod conformance;
