//! The open batch: polled messages, routed in place (order kept), with the
//! first and next offset of each input partition.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rdkafka::message::{Message, OwnedMessage};
use rdkafka::{Offset, TopicPartitionList};

use super::error::{kafka, PipelineError};
use super::route::{self, Destination, Routed};
use crate::sanitize::{Sanitizer, Workspace};

/// One message of the open batch: polled, routed (in chunks while the
/// batch fills, the rest when it closes), then written.
pub(super) struct Item {
    /// Input partition (for the offset bookkeeping).
    pub input: (Arc<str>, i32),
    pub offset: i64,
    /// The curated topic until routing sends the message to quarantine.
    pub out_topic: Arc<str>,
    pub out_partition: Option<i32>,
    pub timestamp: Option<i64>,
    /// The input message until it is routed (see [`route_pending`]).
    pub pending: Option<OwnedMessage>,
    /// Meaningful once `pending` is `None`.
    pub routed: Routed,
    /// Input payload bytes (for `redactd_bytes_total{direction="in"}`).
    pub bytes_in: usize,
    /// Parse + scan + sanitize time.
    pub took: Duration,
}

/// The open batch: routed messages and, per input partition, the first and
/// the next offset.
#[derive(Default)]
pub(super) struct Batch {
    pub items: Vec<Item>,
    pub bytes: usize,
    pub started: Option<Instant>,
    pub first: BTreeMap<(Arc<str>, i32), i64>,
    pub next: BTreeMap<(Arc<str>, i32), i64>,
}

impl Batch {
    pub fn push(&mut self, item: Item, bytes: usize) {
        self.started.get_or_insert_with(Instant::now);
        self.first.entry(item.input.clone()).or_insert(item.offset);
        self.next.insert(item.input.clone(), item.offset + 1);
        self.bytes += bytes;
        self.items.push(item);
    }

    pub fn clear(&mut self) {
        *self = Batch::default();
    }

    /// Forgets the messages of revoked partitions (their new owner reads
    /// them again from the committed offset).
    pub fn drop_partitions(&mut self, revoked: &[(String, i32)]) {
        let gone = |p: &(Arc<str>, i32)| revoked.iter().any(|(t, n)| **t == *p.0 && *n == p.1);
        self.items.retain(|i| !gone(&i.input));
        self.first.retain(|p, _| !gone(p));
        self.next.retain(|p, _| !gone(p));
        if self.items.is_empty() {
            self.clear();
        }
    }

    pub fn offsets(&self) -> Result<TopicPartitionList, PipelineError> {
        let mut tpl = TopicPartitionList::with_capacity(self.next.len());
        for ((t, p), o) in &self.next {
            tpl.add_partition_offset(t, *p, Offset::Offset(*o))
                .map_err(kafka("offset list"))?;
        }
        Ok(tpl)
    }
}

/// Output topic of an input topic, with its partition count.
pub(super) struct OutTopic {
    pub name: Arc<str>,
    pub partitions: i32,
}

/// Polled messages routed together while a batch fills.
pub(super) const ROUTE_CHUNK: usize = 128;

/// How many threads route a closing batch: the CPUs this process may use
/// (cgroup quotas included), at most 4. One partition's records stay in
/// order because each thread takes a contiguous chunk of the batch and
/// the batch is written in its original order.
pub(super) fn routing_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(4))
}

/// Routes one polled message and points it at its output topic.
fn route_item(sanitizer: &Sanitizer, quarantine: &OutTopic, item: &mut Item, ws: &mut Workspace) {
    let Some(m) = item.pending.take() else {
        return;
    };
    let t0 = Instant::now();
    item.routed = route::route(sanitizer, &m, ws);
    item.took = t0.elapsed();
    if item.routed.destination == Destination::Quarantine {
        item.out_topic = quarantine.name.clone();
        item.out_partition = (m.partition() < quarantine.partitions).then_some(m.partition());
    }
}

/// Routes (parses, scans, sanitizes) every message of the batch not
/// routed yet, split over the routing threads in contiguous chunks: each
/// item keeps its place, so order is untouched. Runs with no poll in
/// between, like the write, so no rebalance can interleave.
pub(super) fn route_pending(
    sanitizer: &Sanitizer,
    quarantine: &OutTopic,
    workspaces: &mut [Workspace],
    batch: &mut Batch,
) {
    // Routing goes in poll order and a revoke only removes items, so the
    // routed items are always a prefix of the batch.
    let from = batch.items.partition_point(|i| i.pending.is_none());
    let todo = &mut batch.items[from..];
    // Below this many records per thread, a thread costs more than it saves.
    const MIN_PER_THREAD: usize = 32;
    let threads = workspaces.len().min(todo.len() / MIN_PER_THREAD).max(1);
    let per = todo.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let mut chunks = todo.chunks_mut(per).zip(workspaces.iter_mut());
        let here = chunks.next();
        for (chunk, ws) in chunks {
            scope.spawn(move || {
                for item in chunk {
                    route_item(sanitizer, quarantine, item, ws);
                }
            });
        }
        if let Some((chunk, ws)) = here {
            for item in chunk {
                route_item(sanitizer, quarantine, item, ws);
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_tracks_first_and_next_offsets_and_drops_revoked() {
        let mut b = Batch::default();
        let t: Arc<str> = "in".into();
        for (p, o) in [(0, 5), (1, 9), (0, 6), (0, 7)] {
            b.push(
                Item {
                    input: (t.clone(), p),
                    offset: o,
                    out_topic: "out".into(),
                    out_partition: Some(p),
                    timestamp: None,
                    routed: Routed::pending(),
                    bytes_in: 0,
                    took: Duration::ZERO,
                    pending: None,
                },
                1,
            );
        }
        assert_eq!(b.first[&(t.clone(), 0)], 5);
        assert_eq!(b.next[&(t.clone(), 0)], 8);
        assert_eq!(b.next[&(t.clone(), 1)], 10);
        b.drop_partitions(&[("in".into(), 0)]);
        assert_eq!(b.items.len(), 1);
        assert!(!b.next.contains_key(&(t.clone(), 0)));
        let tpl = b.offsets().expect("tpl");
        assert_eq!(tpl.count(), 1);
    }
}
