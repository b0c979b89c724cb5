//! Overlap resolution: of the candidates that overlap, the highest score
//! wins, then the longest span, then the leftmost.

use super::Finding;

/// Keeps the best non-overlapping candidates: highest score, then longest,
/// then leftmost. `out` ends sorted by start.
pub(super) fn resolve_overlaps(cands: &mut [Finding], out: &mut Vec<Finding>) {
    cands.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then((b.end - b.start).cmp(&(a.end - a.start)))
            .then(a.start.cmp(&b.start))
            .then(a.detector.cmp(&b.detector))
    });
    for c in cands.iter() {
        let pos = out.partition_point(|f| f.start < c.start);
        let clash_before = pos > 0 && out[pos - 1].end > c.start;
        let clash_after = pos < out.len() && out[pos].start < c.end;
        if !clash_before && !clash_after {
            out.insert(pos, *c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{DetectorId, EntityId};
    use super::*;

    #[test]
    fn overlaps_keep_best() {
        let mut c = vec![
            Finding {
                start: 0,
                end: 10,
                entity: EntityId(0),
                detector: DetectorId(0),
                score: 0.6,
            },
            Finding {
                start: 5,
                end: 20,
                entity: EntityId(1),
                detector: DetectorId(1),
                score: 0.9,
            },
            Finding {
                start: 20,
                end: 22,
                entity: EntityId(1),
                detector: DetectorId(2),
                score: 0.5,
            },
            Finding {
                start: 5,
                end: 8,
                entity: EntityId(1),
                detector: DetectorId(3),
                score: 0.9,
            },
        ];
        let mut out = Vec::new();
        resolve_overlaps(&mut c, &mut out);
        let spans: Vec<_> = out.iter().map(|f| (f.start, f.end)).collect();
        assert_eq!(spans, vec![(5, 20), (20, 22)]);
    }
}
