//! Why the daemon stops, and how a failed batch is classed: retried, or
//! fatal. Only [`PipelineError::Config`] is the operator's config at fault
//! (exit 2); everything else is a runtime failure (exit 1).

use rdkafka::error::KafkaError;

use crate::config::ConfigError;

/// Why the daemon stopped with an error. Never holds record content.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// The config cannot work (names the key at fault): exit 2.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A setting redactd owns was given in the config: exit 2.
    #[error("{0}")]
    Setting(String),
    /// A topic the config names does not exist (never auto-created).
    #[error("{0}")]
    MissingTopic(String),
    /// A Kafka call failed in a way that is not retried (a fenced
    /// producer among them: another live replica has our transactional
    /// id).
    #[error("{what}: {source}")]
    Kafka {
        /// What was being done.
        what: &'static str,
        /// librdkafka's error.
        source: KafkaError,
    },
    /// Batches kept failing for longer than `retry_timeout_ms`: nothing
    /// was committed past the last good batch.
    #[error("no batch could be committed for {0} ms (kafka.retry_timeout_ms); stopping without committing")]
    Stuck(u64),
    /// A broken invariant of the loop: stop without committing.
    #[error("internal error: {0}")]
    Internal(&'static str),
    /// The worker thread panicked outside a record (records are guarded
    /// one by one).
    #[error("the pipeline thread panicked; stopping without committing")]
    Panicked,
    /// The process could not set itself up (thread, runtime, signals) or
    /// restart itself after a hung call.
    #[error("{0}")]
    Setup(String),
    /// SIGTERM, but the worker did not finish within `drain_timeout_ms`.
    #[error("did not drain within kafka.drain_timeout_ms ({0} ms)")]
    DrainTimeout(u64),
}

impl PipelineError {
    /// Whether the operator's config is at fault (exit 2), not the run
    /// (exit 1).
    pub fn is_config(&self) -> bool {
        matches!(
            self,
            PipelineError::Config(_) | PipelineError::Setting(_) | PipelineError::MissingTopic(_)
        )
    }
}

pub(super) fn kafka(what: &'static str) -> impl FnOnce(KafkaError) -> PipelineError {
    move |source| PipelineError::Kafka { what, source }
}

/// How a batch attempt failed.
pub(super) enum Failed {
    /// Abort, rewind, try again (until `retry_timeout_ms`).
    Retry(KafkaError),
    /// Stop without committing.
    Fatal(PipelineError),
}

impl From<PipelineError> for Failed {
    fn from(e: PipelineError) -> Self {
        Failed::Fatal(e)
    }
}

/// Classes a transactional-API error: fatal errors (fenced producer, …) end
/// the run; everything else aborts and retries the batch.
pub(super) fn classify(what: &'static str, e: KafkaError) -> Failed {
    if is_fatal(&e) {
        Failed::Fatal(PipelineError::Kafka { what, source: e })
    } else {
        Failed::Retry(e)
    }
}

/// A fatal librdkafka transactional error: the producer cannot be used again.
pub(super) fn is_fatal(e: &KafkaError) -> bool {
    matches!(e, KafkaError::Transaction(rd) if rd.is_fatal())
}

/// The metric class of a Kafka error that failed a batch: the step, never
/// the message (which may name brokers, but keeps label values bounded).
pub(super) fn error_class(e: &KafkaError) -> &'static str {
    match e {
        KafkaError::Transaction(_) => "kafka_transaction",
        KafkaError::MessageProduction(_) => "kafka_produce",
        KafkaError::Flush(_) => "kafka_flush",
        KafkaError::ConsumerCommit(_) => "kafka_commit",
        _ => "kafka_other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_config_errors_are_the_operators() {
        let cfg = crate::config::Config::default();
        assert!(PipelineError::Config(cfg.error("kafka.x", "bad")).is_config());
        assert!(PipelineError::MissingTopic("t".into()).is_config());
        for e in [
            PipelineError::Panicked,
            PipelineError::Stuck(1),
            PipelineError::Setup("x".into()),
            PipelineError::Internal("x"),
            PipelineError::DrainTimeout(1),
        ] {
            assert!(!e.is_config(), "{e}");
        }
    }
}
