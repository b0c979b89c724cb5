//! AFL target `token`: see `redactd_fuzz::checks::check_token`.

fn main() {
    redactd_fuzz::checks::keyset();
    afl::fuzz!(|data: &[u8]| {
        redactd_fuzz::checks::check_token(data);
    });
}
