//! The fuzz targets of redactd (`scripts/fuzz TARGET SECONDS`): each
//! binary under `src/bin/` feeds AFL's inputs to one check of [`checks`].

#![forbid(unsafe_code)]

pub mod checks;
