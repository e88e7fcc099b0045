//! Presents a stored `(type name, JSON data)` pair to serde as the adjacently tagged document
//! `{"type": <type name>, "data": <data>}` that the event enums derive, without building it.

use serde::de::value::StrDeserializer;
use serde::de::{DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, Visitor};
use serde::forward_to_deserialize_any;
use serde_json::de::StrRead;

/// The pair, seen as a map with the keys `type` and `data`.
pub(super) struct Tagged<'a, 'de> {
    pub tag: &'a str,
    pub data: &'a mut serde_json::Deserializer<StrRead<'de>>,
}

impl<'de> Deserializer<'de> for Tagged<'_, 'de> {
    type Error = serde_json::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_map(Entries {
            tag: self.tag,
            data: self.data,
            next: Key::Type,
        })
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct enum
        identifier ignored_any
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Key {
    Type,
    Data,
    Done,
}

struct Entries<'a, 'de> {
    tag: &'a str,
    data: &'a mut serde_json::Deserializer<StrRead<'de>>,
    next: Key,
}

impl<'de> MapAccess<'de> for Entries<'_, 'de> {
    type Error = serde_json::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Self::Error> {
        let key = match self.next {
            Key::Type => "type",
            Key::Data => "data",
            Key::Done => return Ok(None),
        };
        let key: StrDeserializer<'_, serde_json::Error> = key.into_deserializer();
        seed.deserialize(key).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, Self::Error> {
        match self.next {
            Key::Type => {
                self.next = Key::Data;
                let tag: StrDeserializer<'_, serde_json::Error> = self.tag.into_deserializer();
                seed.deserialize(tag)
            }
            _ => {
                self.next = Key::Done;
                seed.deserialize(&mut *self.data)
            }
        }
    }
}
