//! The daemon's logs: `tracing` events with key/value fields, written to
//! stderr one line each, as text (`log.format: text`, the default) or as
//! JSON objects (`log.format: json`, for a log pipeline). Events name
//! counts, topics, partitions, classes and error kinds; never record
//! content or key material (docs/security.md).

use tracing_subscriber::fmt::format::FmtSpan;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// `2026-12-04T21:31:19.123Z  INFO message key=value …`
    Text,
    /// `{"timestamp":…,"level":"INFO","fields":{"message":…,"key":…}}`
    Json,
}

impl std::str::FromStr for LogFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "text" => Ok(LogFormat::Text),
            "json" => Ok(LogFormat::Json),
            _ => Err(format!("unknown log format {s:?} (text, json)")),
        }
    }
}

/// Installs the process's log writer; the first call wins (the demo and
/// tests may call it again). `RUST_LOG`-style filtering is not offered:
/// redactd logs little, at `info` and above.
pub fn init(format: LogFormat) {
    let builder = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_target(false)
        .with_span_events(FmtSpan::NONE)
        .with_max_level(tracing::Level::INFO);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}
