//! Percentiles of measured round trips: nearest rank over a sorted vector (exact, and enough
//! for the few samples a load run collects).

use std::time::Duration;

/// The `p`-th percentile (0 < p ≤ 100) of `sorted` by nearest rank; `None` when empty.
pub fn nearest_rank(sorted: &[Duration], p: f64) -> Option<Duration> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_picks_measured_values() {
        let ms = |v: u64| Duration::from_millis(v);
        let sorted: Vec<Duration> = (1..=10).map(ms).collect();
        assert_eq!(nearest_rank(&sorted, 50.0), Some(ms(5)));
        assert_eq!(nearest_rank(&sorted, 90.0), Some(ms(9)));
        assert_eq!(nearest_rank(&sorted, 99.0), Some(ms(10)));
        assert_eq!(nearest_rank(&[ms(7)], 50.0), Some(ms(7)));
        assert_eq!(nearest_rank(&[], 50.0), None);
    }
}
