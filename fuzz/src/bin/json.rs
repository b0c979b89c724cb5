//! AFL target `json`: see `redactd_fuzz::checks::check_json`.

fn main() {
    afl::fuzz!(|data: &[u8]| {
        redactd_fuzz::checks::check_json(data);
    });
}
