//! The record → engine → policy path, shared by the CLI and the daemon.

use std::sync::Arc;

use crate::detect::{Engine, Finding, Scratch};
use crate::policy::Policy;
use crate::record::{Edit, LeafCtx, Record};

/// Scans records and applies the policy. Cheap to clone, `Send + Sync`.
#[derive(Debug, Clone)]
pub struct Sanitizer {
    engine: Arc<Engine>,
    policy: Arc<Policy>,
}

/// Per-thread state for a [`Sanitizer`].
#[derive(Debug, Default)]
pub struct Workspace {
    scratch: Scratch,
    findings: Vec<Finding>,
}

/// What sanitizing one record did.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Report {
    /// Findings acted on.
    pub findings: usize,
}

impl Sanitizer {
    /// Pairs an engine with a policy.
    pub fn new(engine: Arc<Engine>, policy: Policy) -> Self {
        Sanitizer {
            engine,
            policy: Arc::new(policy),
        }
    }

    /// The engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The key the engine sees for a leaf: the nearest key above it that is
    /// a field-name hint (`{"password": {"old": …}}` marks `old`), else the
    /// nearest key.
    fn key_for<'a>(&self, ctx: &LeafCtx<'a>) -> Option<&'a str> {
        ctx.keys
            .iter()
            .rev()
            .find(|k| self.engine.hint_for_key(k).is_some())
            .or(ctx.keys.last())
            .copied()
    }

    /// Scans every leaf; `f` receives each leaf's pointer and findings
    /// (only leaves with findings).
    pub fn scan(
        &self,
        record: &mut Record,
        ws: &mut Workspace,
        mut f: impl FnMut(&str, &[Finding]),
    ) {
        record.edit_leaves(|ctx, text| {
            self.engine
                .scan_with(text, self.key_for(ctx), &mut ws.scratch, &mut ws.findings);
            if !ws.findings.is_empty() {
                f(ctx.pointer, &ws.findings);
            }
            Edit::Keep
        });
    }

    /// Sanitizes `record` in place.
    pub fn sanitize(&self, record: &mut Record, ws: &mut Workspace) -> Report {
        let mut report = Report::default();
        let is_json = matches!(record, Record::Json(_));
        record.edit_leaves(|ctx, text| {
            self.engine
                .scan_with(text, self.key_for(ctx), &mut ws.scratch, &mut ws.findings);
            report.findings += ws.findings.len();
            match self.policy.apply(&self.engine, text, &ws.findings, is_json) {
                Some(new) => Edit::Replace(new),
                None => Edit::Keep,
            }
        });
        report
    }
}
