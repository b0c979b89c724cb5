//! AFL target `config`: see `redactd_fuzz::checks::check_config`.

fn main() {
    // Built before the fork server starts (in `fuzz!`), so every child
    // inherits it instead of spending seconds on it.
    redactd_fuzz::checks::engine();
    afl::fuzz!(|data: &[u8]| {
        redactd_fuzz::checks::check_config(data);
    });
}
