//! Lists deserialized into a `Vec` of exactly their length. serde_json gives no length hint, so
//! `Vec`'s own impl grows 4 → 8 → 16, copying each time and keeping up to twice the memory it
//! needs; for the words of every segment that is a third of a result's heap. Elements go to a
//! per-thread buffer instead and are moved out with one allocation.
//!
//! A deserializer that knows the length (a `Value`) says so in `size_hint`; then the elements go
//! straight into a `Vec` of that length, without the buffer and its copy. The fast pass reads
//! lists from simd-json's tape, which holds their length, the same way (`tape.rs`).
//!
//! A long list (the segments of a long call) is gathered in chunks of at most `CHUNK_BYTES`.
//! Growing one buffer would free ever larger blocks mid-parse; glibc may trim its heap top on
//! each free of 64 KiB or more (in `perf` it did, on every growth step), and the next
//! allocations fault those pages back in.

use std::cell::Cell;
use std::fmt;
use std::marker::PhantomData;
use std::mem::size_of;
use std::thread::LocalKey;

use serde::de::{Deserialize, DeserializeSeed, Deserializer, SeqAccess, Visitor};

/// A type with a per-thread buffer to collect lists of it in.
pub(crate) trait Scratch: Sized + 'static {
    fn buffer() -> &'static LocalKey<Cell<Vec<Self>>>;
}

macro_rules! scratch_buffers {
    ($($ty:ty),* $(,)?) => {
        $(impl $crate::trd::seq::Scratch for $ty {
            fn buffer() -> &'static std::thread::LocalKey<std::cell::Cell<Vec<Self>>> {
                std::thread_local! {
                    static BUFFER: std::cell::Cell<Vec<$ty>> = const {
                        std::cell::Cell::new(Vec::new())
                    };
                }
                &BUFFER
            }
        })*
    };
}
pub(crate) use scratch_buffers;

/// Size of the chunks a list is gathered in. A thread keeps its last buffer per element type,
/// at most twice this size (the first chunk's buffer grows by doubling).
const CHUNK_BYTES: usize = 16 << 10;

/// Largest list allocated at once from a deserializer's length hint.
const HINTED_BYTES: usize = 64 << 20;

/// Seed for an `Option<Vec<T>>` field: `null` is `None` and errors read as with serde's own
/// impls ("expected a sequence").
pub(crate) struct ExactVec<T>(PhantomData<T>);

impl<T> ExactVec<T> {
    pub(crate) fn new() -> Self {
        ExactVec(PhantomData)
    }
}

impl<'de, T: Deserialize<'de> + Scratch> DeserializeSeed<'de> for ExactVec<T> {
    type Value = Option<Vec<T>>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_option(self)
    }
}

impl<'de, T: Deserialize<'de> + Scratch> Visitor<'de> for ExactVec<T> {
    type Value = Option<Vec<T>>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("option")
    }

    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer
            .deserialize_seq(Elements(PhantomData))
            .map(Some)
    }
}

struct Elements<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de> + Scratch> Visitor<'de> for Elements<T> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a sequence")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
        if let Some(mut exact) = seq.size_hint().and_then(with_hinted_capacity) {
            while let Some(element) = seq.next_element()? {
                exact.push(element);
            }
            // A hint is not a promise: a list longer than said has grown.
            exact.shrink_to_fit();
            return Ok(exact);
        }
        // Taken, not borrowed: an element holding a list of its own type gets an empty buffer.
        // `try_with`: a parse in a thread-local destructor works, without the buffer.
        let mut buffer = T::buffer().try_with(Cell::take).unwrap_or_default();
        let mut full = Vec::new();
        let collected = collect(&mut seq, &mut buffer, &mut full);
        let exact = collected.map(|()| {
            let len = full.iter().map(Vec::len).sum::<usize>() + buffer.len();
            let mut exact = Vec::with_capacity(len);
            for mut chunk in full {
                exact.append(&mut chunk);
            }
            exact.append(&mut buffer);
            exact
        });
        buffer.clear();
        let _ = T::buffer().try_with(|cell| cell.set(buffer));
        exact
    }
}

/// A `Vec` for a list said to hold `len` elements, or `None` when that would take more than
/// `HINTED_BYTES` (then the caller lets the list grow, so a short body cannot make a huge
/// allocation).
pub(crate) fn with_hinted_capacity<T>(len: usize) -> Option<Vec<T>> {
    len.checked_mul(size_of::<T>())
        .filter(|bytes| *bytes <= HINTED_BYTES)
        .map(|_| Vec::with_capacity(len))
}

/// Pushes the elements to `buffer`, moving each full chunk to `full`.
fn collect<'de, T: Deserialize<'de>, A: SeqAccess<'de>>(
    seq: &mut A,
    buffer: &mut Vec<T>,
    full: &mut Vec<Vec<T>>,
) -> Result<(), A::Error> {
    let chunk_len = (CHUNK_BYTES / size_of::<T>().max(1)).max(1);
    while let Some(element) = seq.next_element()? {
        if buffer.len() == chunk_len {
            full.push(std::mem::replace(buffer, Vec::with_capacity(chunk_len)));
        }
        buffer.push(element);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What serde's own `Option<Vec<T>>` gives (value, or error with its position).
    fn serde_own(json: &str) -> Result<Option<Vec<String>>, String> {
        serde_json::from_str(json).map_err(|error| error.to_string())
    }

    fn exact(json: &str) -> Result<Option<Vec<String>>, String> {
        let mut deserializer = serde_json::Deserializer::from_str(json);
        ExactVec::new()
            .deserialize(&mut deserializer)
            .and_then(|value| deserializer.end().map(|()| value))
            .map_err(|error| error.to_string())
    }

    #[test]
    fn same_values_and_errors_as_serde_own_impl() {
        for json in [
            "null",
            "[]",
            "[\"a\"]",
            "[\"a\", \"b\\n\", \"ç\"]",
            " [ \"a\" , \"b\" ] ",
            "5",
            "{}",
            "\"text\"",
            "[1]",
            "[\"a\", 2]",
            "[\"a\",]",
            "[\"a\"",
            "[",
            "",
        ] {
            assert_eq!(exact(json), serde_own(json), "{json:?}");
        }
    }

    #[test]
    fn a_known_length_is_allocated_at_once() {
        let json = serde_json::json!(["a", "b", "c"]);
        let words = ExactVec::<String>::new()
            .deserialize(&json)
            .unwrap()
            .unwrap();
        assert_eq!((words.len(), words.capacity()), (3, 3));
        assert_eq!(words, ["a", "b", "c"]);
    }

    /// A sequence whose length hint is wrong.
    struct Hinted {
        hint: usize,
        words: std::vec::IntoIter<&'static str>,
    }

    impl<'de> SeqAccess<'de> for Hinted {
        type Error = serde::de::value::Error;
        fn next_element_seed<S: DeserializeSeed<'de>>(
            &mut self,
            seed: S,
        ) -> Result<Option<S::Value>, Self::Error> {
            use serde::de::IntoDeserializer as _;
            self.words
                .next()
                .map(|word| seed.deserialize(word.into_deserializer()))
                .transpose()
        }
        fn size_hint(&self) -> Option<usize> {
            Some(self.hint)
        }
    }

    #[test]
    fn a_wrong_or_huge_hint_still_gives_an_exact_vector() {
        for hint in [0, 1, 5, usize::MAX / 2] {
            let seq = Hinted {
                hint,
                words: vec!["a", "b", "c"].into_iter(),
            };
            let words = Elements::<String>(PhantomData).visit_seq(seq).unwrap();
            assert_eq!((words.len(), words.capacity()), (3, 3), "hint {hint}");
        }
    }

    #[test]
    fn vectors_are_exact_and_the_buffer_is_reused() {
        for len in [13, 3000] {
            let json = format!("[{}\"last\"]", "\"w\",".repeat(len - 1));
            let words = exact(&json).unwrap().unwrap();
            assert_eq!((words.len(), words.capacity()), (len, len));
            assert!(words[..len - 1].iter().all(|word| word == "w"));
            assert_eq!(words[len - 1], "last");
        }
        let buffer = String::buffer().take();
        assert!(buffer.is_empty());
        assert!((13..=CHUNK_BYTES / size_of::<String>()).contains(&buffer.capacity()));
    }
}
