//! Remembers which (callback name, job id) pairs were handed off, to flag TRD's redeliveries.
//! Bounded: the oldest entries are forgotten first.

use std::collections::{HashSet, VecDeque};

pub(crate) type DeliveryKey = (Option<String>, String);

pub(crate) struct SeenDeliveries {
    keys: HashSet<DeliveryKey>,
    order: VecDeque<DeliveryKey>,
    capacity: usize,
}

impl SeenDeliveries {
    pub(crate) fn new(capacity: usize) -> Self {
        SeenDeliveries {
            keys: HashSet::new(),
            order: VecDeque::new(),
            capacity: capacity.max(1),
        }
    }

    /// Records `key`; returns whether it had been seen before.
    pub(crate) fn record(&mut self, key: DeliveryKey) -> bool {
        if self.keys.contains(&key) {
            return true;
        }
        if self.order.len() == self.capacity {
            if let Some(oldest) = self.order.pop_front() {
                self.keys.remove(&oldest);
            }
        }
        self.keys.insert(key.clone());
        self.order.push_back(key);
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_repeats_and_forgets_oldest() {
        let mut seen = SeenDeliveries::new(2);
        let key = |n: &str| (None, n.to_owned());
        assert!(!seen.record(key("a")));
        assert!(seen.record(key("a")));
        assert!(!seen.record((Some("x".into()), "a".into())));
        assert!(!seen.record(key("b")));
        assert!(!seen.record(key("a")), "oldest forgotten at capacity");
    }
}
