//! `redactd run`: the daemon. Config errors exit 2; Kafka failures, a
//! panic or a drain timeout exit 1.

use std::path::PathBuf;

use anyhow::anyhow;
use redactd::admin::AdminServer;
use redactd::config::check;
use redactd::pipeline::{self, PipelineError};

use super::{load_config, sanitizer, shown_config, Failure, PackArgs};

pub(super) fn run(file: Option<PathBuf>) -> Result<(), Failure> {
    let shown = shown_config(file.as_ref());
    let cfg = load_config(file, &PackArgs::default())?;
    let format = cfg
        .log
        .format
        .parse()
        .map_err(|e: String| Failure::Usage(anyhow!("{shown}: log.format: {e}")))?;
    redactd::log::init(format);
    let failure = |e: PipelineError| {
        if e.is_config() {
            Failure::Usage(anyhow!("{shown}: {e}"))
        } else {
            Failure::Runtime(e.into())
        }
    };
    check::kafka(&cfg).map_err(|e| failure(e.into()))?;
    // The admin port answers (/healthz 200, /readyz 503) before the packs
    // compile and the clients connect; a port taken is a usage error
    // naming metrics.listen.
    let observer = pipeline::Observer::new();
    let admin = AdminServer::start(
        &cfg.metrics.listen,
        observer.metrics.clone(),
        observer.readiness.clone(),
    )
    .map_err(|e| Failure::Usage(anyhow!("{shown}: {e}")))?;
    tracing::info!(
        address = %admin.local_addr(),
        "metrics on http://{}/metrics",
        admin.local_addr()
    );
    let r = sanitizer(&cfg).and_then(|s| {
        pipeline::run_until_signal(cfg, s, observer)
            .map(|_| ())
            .map_err(failure)
    });
    admin.stop();
    r
}
