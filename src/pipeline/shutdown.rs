//! SIGTERM / SIGINT → stop fetching, finish or abort the open batch, exit
//! within `drain_timeout_ms`.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::{run, Observer, PipelineError, Summary};
use crate::config::Config;
use crate::sanitize::Sanitizer;

/// The stop flag and the drain deadline, shared by the signal task and the
/// worker thread.
#[derive(Debug)]
pub struct Shutdown {
    stop: AtomicBool,
    deadline: Mutex<Option<Instant>>,
    drain: Duration,
}

impl Shutdown {
    /// Not triggered yet; `drain` is the budget once it is.
    pub fn new(drain: Duration) -> Self {
        Shutdown {
            stop: AtomicBool::new(false),
            deadline: Mutex::new(None),
            drain,
        }
    }

    /// Starts the drain: no more fetching; the deadline starts now.
    pub fn trigger(&self) {
        let mut d = match self.deadline.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        // The worker keeps a quarter of the budget (at most 2 s) for leaving
        // the group and closing the clients.
        let reserve = (self.drain / 4).min(Duration::from_secs(2));
        d.get_or_insert_with(|| Instant::now() + self.drain - reserve);
        self.stop.store(true, Ordering::Release);
    }

    /// True once triggered.
    pub fn stopping(&self) -> bool {
        self.stop.load(Ordering::Acquire)
    }

    /// Time left for the worker's blocking calls once triggered.
    pub fn remaining(&self) -> Option<Duration> {
        let d = match self.deadline.lock() {
            Ok(g) => *g,
            Err(p) => *p.into_inner(),
        };
        d.map(|d| d.saturating_duration_since(Instant::now()))
    }

    /// True once triggered and the worker's budget is spent.
    pub fn past_deadline(&self) -> bool {
        self.remaining().is_some_and(|r| r.is_zero())
    }
}

/// Watches the worker's blocking librdkafka calls. librdkafka 2.12's
/// `send_offsets_to_transaction` can wait forever (it waits on the call
/// with an infinite timeout and relies on an internal timer that a broker
/// restart can lose); a client wedged like that cannot be torn down while a
/// thread is inside it. See docs/decisions/0022.
#[derive(Debug)]
pub struct Watchdog {
    epoch: Instant,
    /// Milliseconds since `epoch` when the current call must have returned
    /// (0: no call in progress).
    due_ms: AtomicU64,
    what: Mutex<&'static str>,
}

/// Extra time a call gets beyond its own timeout before it counts as hung.
pub const HANG_GRACE: Duration = Duration::from_secs(30);

impl Default for Watchdog {
    fn default() -> Self {
        Watchdog {
            epoch: Instant::now(),
            due_ms: AtomicU64::new(0),
            what: Mutex::new(""),
        }
    }
}

/// Marks a call in progress until dropped.
#[derive(Debug)]
pub struct CallGuard<'a>(&'a Watchdog);

impl Drop for CallGuard<'_> {
    fn drop(&mut self) {
        self.0.due_ms.store(0, Ordering::Release);
    }
}

impl Watchdog {
    /// Marks the start of `what`, which should return within `timeout`.
    pub fn call(&self, what: &'static str, timeout: Duration) -> CallGuard<'_> {
        if let Ok(mut w) = self.what.lock() {
            *w = what;
        }
        let due = self.epoch.elapsed() + hang_budget(timeout);
        self.due_ms
            .store(due.as_millis().max(1) as u64, Ordering::Release);
        CallGuard(self)
    }

    /// The call that has outlived its timeout plus [`HANG_GRACE`], if any.
    pub fn hung(&self) -> Option<&'static str> {
        let due = self.due_ms.load(Ordering::Acquire);
        if due != 0 && self.epoch.elapsed().as_millis() as u64 > due {
            Some(self.what.lock().map(|w| *w).unwrap_or("librdkafka call"))
        } else {
            None
        }
    }
}

/// How long a call with `timeout` may take before it counts as hung.
#[cfg(not(feature = "fault-injection"))]
fn hang_budget(timeout: Duration) -> Duration {
    timeout + HANG_GRACE
}

/// How long a call with `timeout` may take before it counts as hung; the
/// fault-injection tests shorten it with `REDACTD_FAULT_HANG_MS`.
#[cfg(feature = "fault-injection")]
fn hang_budget(timeout: Duration) -> Duration {
    match std::env::var("REDACTD_FAULT_HANG_MS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        Some(ms) => Duration::from_millis(ms),
        None => timeout + HANG_GRACE,
    }
}

/// The environment variable that carries the restart count across
/// [`reexec`].
const RESTARTS_ENV: &str = "REDACTD_RESTARTS";

/// Restarts in place before the process gives up and exits non-zero (then
/// Kubernetes restarts the pod, with its back-off): a call that hangs
/// again after every restart is not fixed by another one.
pub const MAX_RESTARTS: u32 = 3;

/// How many times the watchdog restarted this process (0 at first start).
pub fn restarts() -> u32 {
    std::env::var(RESTARTS_ENV)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Replaces this process with a fresh copy of itself (same pid, same
/// arguments, the restart count one higher): the only way out of a wedged
/// librdkafka client. Nothing of the open batch was committed; the new
/// instance's `init_transactions` fences the old producer and aborts its
/// transaction. Past [`MAX_RESTARTS`] it does not restart; it returns the
/// error to exit with (also when the exec failed).
fn reexec() -> PipelineError {
    use std::os::unix::process::CommandExt;
    let n = restarts();
    if n >= MAX_RESTARTS {
        return PipelineError::Setup(format!(
            "a librdkafka call hung after {n} restarts; exiting without committing"
        ));
    }
    let exe = match std::env::current_exe() {
        Ok(e) => e,
        Err(e) => return PipelineError::Setup(format!("restart after a hung call: {e}")),
    };
    let e = std::process::Command::new(exe)
        .args(std::env::args_os().skip(1))
        .env(RESTARTS_ENV, (n + 1).to_string())
        .exec();
    PipelineError::Setup(format!("restart after a hung call: {e}"))
}

/// Runs the daemon on a worker thread until it fails or a signal asks it to
/// stop; then waits at most `drain_timeout_ms` for it to drain.
pub fn run_until_signal(
    cfg: Config,
    sanitizer: Sanitizer,
    observer: Observer,
) -> Result<Summary, PipelineError> {
    observer.metrics.set_restarts(restarts());
    let drain = Duration::from_millis(cfg.kafka.drain_timeout_ms);
    let shutdown = Arc::new(Shutdown::new(drain));
    let watchdog = Arc::new(Watchdog::default());
    let worker_watchdog = Arc::clone(&watchdog);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| PipelineError::Setup(format!("tokio runtime: {e}")))?;
    let (tx, mut rx) = tokio::sync::oneshot::channel();
    let worker_shutdown = Arc::clone(&shutdown);
    let worker = std::thread::Builder::new()
        .name("redactd-pipeline".into())
        .spawn(move || {
            let r = run(
                &cfg,
                sanitizer,
                &worker_shutdown,
                &worker_watchdog,
                &observer,
            );
            let _ = tx.send(r);
        })
        .map_err(|e| PipelineError::Setup(format!("worker thread: {e}")))?;
    let r = rt.block_on(async {
        use tokio::signal::unix::{signal, SignalKind};
        // SIGTERM: Kubernetes and systemd stop; SIGINT: Ctrl-C.
        let mut term = signal(SignalKind::terminate())
            .map_err(|e| PipelineError::Setup(format!("SIGTERM handler: {e}")))?;
        let mut int = signal(SignalKind::interrupt())
            .map_err(|e| PipelineError::Setup(format!("SIGINT handler: {e}")))?;
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tokio::select! {
                r = &mut rx => return r.unwrap_or(Err(PipelineError::Panicked)),
                _ = term.recv() => { tracing::info!(signal = "SIGTERM", "draining"); break; }
                _ = int.recv() => { tracing::info!(signal = "SIGINT", "draining"); break; }
                _ = tick.tick() => {
                    if let Some(what) = watchdog.hung() {
                        tracing::error!(call = what, restarts = restarts(), "hung past its timeout; restarting the process without committing");
                        return Err(reexec());
                    }
                }
            }
        }
        shutdown.trigger();
        match tokio::time::timeout(drain, rx).await {
            Ok(r) => r.unwrap_or(Err(PipelineError::Panicked)),
            Err(_) => Err(PipelineError::DrainTimeout(drain.as_millis() as u64)),
        }
    });
    if r.is_ok() {
        let _ = worker.join();
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadline_starts_at_trigger() {
        let s = Shutdown::new(Duration::from_secs(8));
        assert!(!s.stopping());
        assert_eq!(s.remaining(), None);
        s.trigger();
        assert!(s.stopping());
        let left = s.remaining().expect("deadline");
        assert!(
            left <= Duration::from_secs(6) && left > Duration::from_secs(5),
            "{left:?}"
        );
        assert!(!s.past_deadline());
    }
}
