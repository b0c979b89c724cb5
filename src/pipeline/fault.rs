//! Fault injection for the tests of the failure paths (the watchdog, a
//! crash inside a transaction). Compiled in only with the
//! `fault-injection` feature; in a normal build [`at`] is empty.
//!
//! `REDACTD_FAULT=ACTION:CALL[:TIMES]`, where ACTION is `hang` (block
//! forever, as librdkafka did in decision 0022) or `exit` (end the process
//! at once, like a kill -9), CALL is the librdkafka call it precedes
//! (`begin_transaction`, `send_offsets_to_transaction`,
//! `commit_transaction`), and TIMES (default 1) how many process
//! generations it fires in: it fires only while the watchdog's restart
//! count (`REDACTD_RESTARTS`) is below TIMES.

/// Runs the configured fault if it is for `call`.
#[cfg(feature = "fault-injection")]
pub(super) fn at(call: &str) {
    use std::sync::OnceLock;
    static FAULT: OnceLock<Option<(String, String, u32)>> = OnceLock::new();
    let fault = FAULT.get_or_init(|| {
        let spec = std::env::var("REDACTD_FAULT").ok()?;
        let mut parts = spec.split(':');
        let action = parts.next()?.to_string();
        let call = parts.next()?.to_string();
        let times = parts.next().and_then(|t| t.parse().ok()).unwrap_or(1);
        Some((action, call, times))
    });
    let Some((action, on, times)) = fault else {
        return;
    };
    if on != call || super::shutdown::restarts() >= *times {
        return;
    }
    tracing::warn!(action = %action, call, "fault injection");
    match action.as_str() {
        "hang" => loop {
            std::thread::sleep(std::time::Duration::from_secs(3600));
        },
        "exit" => std::process::exit(137),
        _ => {}
    }
}

/// Runs the configured fault if it is for `call` (none in this build).
#[cfg(not(feature = "fault-injection"))]
#[inline(always)]
pub(super) fn at(_call: &str) {}
