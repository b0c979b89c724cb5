//! AFL target `process`: see `redactd_fuzz::checks::check_process`.

fn main() {
    // The engine and the sanitizers are built before the fork server
    // starts (in `fuzz!`): every child inherits them.
    redactd_fuzz::checks::sanitizers();
    afl::fuzz!(|data: &[u8]| {
        let _curated = redactd_fuzz::checks::check_process(data);
    });
}
