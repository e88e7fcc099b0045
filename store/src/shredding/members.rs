//! An event's JSON data as its top-level members, in order, each value left as written: so a
//! personal field can be sealed or opened without touching a byte of anything else (fields a
//! newer writer added, their order, their escapes).

use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use std::fmt;

/// The members of one JSON object, in order.
pub(super) struct Members<'a>(Vec<(String, &'a RawValue)>);

impl<'a> Members<'a> {
    /// `data`'s members, or `None` if it is not a JSON object.
    pub(super) fn parse(data: &'a str) -> Option<Members<'a>> {
        let mut json = serde_json::Deserializer::from_str(data);
        let members = json.deserialize_map(MembersVisitor).ok()?;
        json.end().ok()?;
        Some(Members(members))
    }

    /// The string value of `name`, if it has one.
    pub(super) fn string(&self, name: &str) -> Option<String> {
        let (_, raw) = self.0.iter().find(|(key, _)| key == name)?;
        serde_json::from_str(raw.get()).ok()
    }

    /// The object again, with each string value of a member in `fields` replaced by what
    /// `change` makes of it (`Ok(None)`: kept as it is); `None` if nothing changed.
    pub(super) fn rewrite<E>(
        &self,
        fields: &[&str],
        mut change: impl FnMut(&str) -> Result<Option<String>, E>,
    ) -> Result<Option<String>, E> {
        let mut changed = false;
        let mut out = String::from("{");
        for (i, (key, raw)) in self.0.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&quoted(key));
            out.push(':');
            let replaced = if fields.contains(&key.as_str()) {
                match serde_json::from_str::<String>(raw.get()) {
                    Ok(text) => change(&text)?,
                    Err(_) => None, // null, or not a string: nothing personal to seal
                }
            } else {
                None
            };
            match replaced {
                Some(text) => {
                    changed = true;
                    out.push_str(&quoted(&text));
                }
                None => out.push_str(raw.get()),
            }
        }
        out.push('}');
        Ok(changed.then_some(out))
    }
}

fn quoted(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_owned())
}

struct MembersVisitor;

impl<'de> Visitor<'de> for MembersVisitor {
    type Value = Vec<(String, &'de RawValue)>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut members = Vec::with_capacity(map.size_hint().unwrap_or(8));
        while let Some(entry) = map.next_entry::<String, &'de RawValue>()? {
            members.push(entry);
        }
        Ok(members)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_should_change_only_the_named_string_members_and_keep_every_other_byte() {
        let data = r#"{"a":"x","n":{"k":[1, 2]},"b":null,"c":"Zoë \"Z\"","d":"y"}"#;
        let members = Members::parse(data).unwrap();
        let out = members
            .rewrite::<()>(&["a", "b", "c"], |text| Ok(Some(format!("<{text}>"))))
            .unwrap()
            .unwrap();
        assert_eq!(
            out,
            r#"{"a":"<x>","n":{"k":[1, 2]},"b":null,"c":"<Zoë \"Z\">","d":"y"}"#
        );
        let same = members.rewrite::<()>(&["d"], |_| Ok(None)).unwrap();
        assert_eq!(same, None);
        assert_eq!(members.string("c").as_deref(), Some("Zoë \"Z\""));
        assert!(Members::parse("[1]").is_none());
    }
}
