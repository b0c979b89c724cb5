//! Embeds every pattern pack in `patterns/*.toml` into the binary.
//!
//! The list is generated so that adding a pack is adding a file: no code
//! change, and `redactd patterns list` shows it at once.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let dir = Path::new("patterns");
    println!("cargo:rerun-if-changed=patterns");
    let mut packs: Vec<String> = std::fs::read_dir(dir)
        .expect("patterns/ exists next to Cargo.toml")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| {
            p.file_name()
                .expect("file name")
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    packs.sort();
    let mut out = String::from("/// Built-in packs: (file name, TOML text), sorted by file name.\npub(crate) const BUILTIN_PACKS: &[(&str, &str)] = &[\n");
    for p in &packs {
        println!("cargo:rerun-if-changed=patterns/{p}");
        let _ = writeln!(
            out,
            "    ({p:?}, include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/patterns/{p}\"))),"
        );
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("builtin_packs.rs");
    std::fs::write(dest, out).expect("write builtin_packs.rs");
}
