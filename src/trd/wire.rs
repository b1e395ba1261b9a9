//! Tolerant JSON objects without `#[serde(flatten)]`: known keys go to typed fields, every other
//! key is kept in `extra` and written back. Flatten would buffer every object through serde's
//! internal `Content` tree, which costs several times the parse time on word-heavy results.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, Visitor};

/// A map key that borrows from the input when it has no escapes.
pub(crate) struct Key<'de>(pub(crate) Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// How a field behaves when its key is absent: `Option` fields become `None`, every other type
/// is required and absence is a "missing field" error.
pub(crate) trait WireField: Sized {
    fn when_absent() -> Option<Self>;
    fn is_present(&self) -> bool;
}

impl<T> WireField for Option<T> {
    fn when_absent() -> Option<Self> {
        Some(None)
    }
    fn is_present(&self) -> bool {
        self.is_some()
    }
}

macro_rules! required_wire_fields {
    ($($ty:ty),* $(,)?) => {
        $(impl $crate::trd::wire::WireField for $ty {
            fn when_absent() -> Option<Self> {
                None
            }
            fn is_present(&self) -> bool {
                true
            }
        })*
    };
}
pub(crate) use required_wire_fields;

required_wire_fields!(String, f64, u32);

/// A field's value: through `Deserialize`, or through the seed given after `=>`.
macro_rules! next_value {
    ($map:ident) => {
        $map.next_value()?
    };
    ($map:ident, $seed:expr) => {
        $map.next_value_seed($seed)?
    };
}
pub(crate) use next_value;

/// Declares a struct whose fields map to JSON keys (with optional aliases, and optionally a
/// `DeserializeSeed` after `=>`), plus an `extra` map for unknown keys, and implements
/// `Deserialize`/`Serialize` for it, and `FromTape` (the fast pass; a seed's list is read as
/// `Vec`'s `FromTape` reads it). Known keys are written in declaration order, then the
/// unknown ones.
macro_rules! wire_struct {
    (
        $(#[$smeta:meta])*
        pub struct $name:ident {
            $(
                $(#[$fmeta:meta])*
                pub $field:ident : $ty:ty = $key:literal $(| $alias:literal)* $(=> $seed:expr)?
            ),* $(,)?
        }
    ) => {
        $(#[$smeta])*
        pub struct $name {
            $( $(#[$fmeta])* pub $field: $ty, )*
            /// Keys this library does not know, kept as they came and written back by `to_json`.
            pub extra: serde_json::Map<String, serde_json::Value>,
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct ObjectVisitor;
                impl<'de> serde::de::Visitor<'de> for ObjectVisitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                        f.write_str(concat!("a TRD `", stringify!($name), "` object"))
                    }
                    fn visit_map<A: serde::de::MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> Result<$name, A::Error> {
                        use serde::de::Error as _;
                        $( let mut $field: Option<$ty> = None; )*
                        let mut extra = serde_json::Map::new();
                        while let Some(key) = map.next_key::<$crate::trd::wire::Key<'de>>()? {
                            match key.0.as_ref() {
                                $( $key $(| $alias)* => {
                                    if $field.is_some() {
                                        return Err(A::Error::duplicate_field($key));
                                    }
                                    $field = Some($crate::trd::wire::next_value!(map $(, $seed)?));
                                } )*
                                _ => {
                                    let value = map.next_value()?;
                                    extra.insert(key.0.into_owned(), value);
                                }
                            }
                        }
                        Ok($name {
                            $( $field: match $field {
                                Some(value) => value,
                                None => <$ty as $crate::trd::wire::WireField>::when_absent()
                                    .ok_or_else(|| A::Error::missing_field($key))?,
                            }, )*
                            extra,
                        })
                    }
                }
                deserializer.deserialize_map(ObjectVisitor)
            }
        }

        impl<'de> $crate::trd::tape::FromTape<'de> for $name {
            /// The same object as `Deserialize` reads it, or `None` where it reports an error.
            fn from_tape(tape: &mut $crate::trd::tape::Cursor<'_, 'de>) -> Option<$name> {
                $( let mut $field: Option<$ty> = None; )*
                let mut extra = serde_json::Map::new();
                for _ in 0..tape.object()? {
                    let key = tape.key()?;
                    match key {
                        $( $key $(| $alias)* => {
                            if $field.is_some() {
                                return None;
                            }
                            $field = Some(
                                <$ty as $crate::trd::tape::FromTape>::from_tape(tape)?
                            );
                        } )*
                        _ => {
                            let value = tape.value()?;
                            extra.insert(key.to_owned(), value);
                        }
                    }
                }
                Some($name {
                    $( $field: match $field {
                        Some(value) => value,
                        None => <$ty as $crate::trd::wire::WireField>::when_absent()?,
                    }, )*
                    extra,
                })
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeMap as _;
                let mut map = serializer.serialize_map(None)?;
                $( if $crate::trd::wire::WireField::is_present(&self.$field) {
                    map.serialize_entry($key, &self.$field)?;
                } )*
                for (key, value) in &self.extra {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
        }
    };
}
pub(crate) use wire_struct;
