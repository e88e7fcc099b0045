//! Upcasting: stored history is never rewritten to change a struct. When an event's schema
//! changes, its version is bumped and an upcaster turning version N into N+1 is registered
//! here; adapters run the chain on every read so the domain only ever sees current versions.

use super::{Recorded, StoreError};
use std::collections::HashMap;

/// Turns the JSON of one schema version into the JSON of the next.
pub type UpcastFn = fn(serde_json::Value) -> serde_json::Value;

/// The registered upcasters, keyed by event type and the version they upgrade from.
#[derive(Debug, Clone, Default)]
pub struct Upcasters {
    steps: HashMap<(String, u32), UpcastFn>,
}

impl Upcasters {
    /// No upcasters: every event is read as stored.
    pub fn none() -> Self {
        Self::default()
    }

    /// Registers `step`, which turns `event_type` at `from_version` into `from_version + 1`.
    pub fn register(mut self, event_type: &str, from_version: u32, step: UpcastFn) -> Self {
        self.steps
            .insert((event_type.to_owned(), from_version), step);
        self
    }

    /// Whether nothing is registered (the common case: reads skip JSON parsing entirely).
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// Whether an event of `event_type` stored at `version` has a step to take on read.
    pub fn upgrades(&self, event_type: &str, version: u32) -> bool {
        self.step(event_type, version).is_some()
    }

    /// The step from `version` of `event_type`, if one is registered. Registries are tiny
    /// (one step per schema change ever made), so a scan beats building a key: every event
    /// read asks, and most have no step.
    fn step(&self, event_type: &str, version: u32) -> Option<UpcastFn> {
        self.steps
            .iter()
            .find(|((t, v), _)| *v == version && t == event_type)
            .map(|(_, step)| *step)
    }

    /// Brings `event` up to the newest version for which a chain of steps exists.
    pub fn apply(&self, mut event: Recorded) -> Result<Recorded, StoreError> {
        if self.steps.is_empty() {
            return Ok(event);
        }
        let mut value: Option<serde_json::Value> = None;
        while let Some(step) = self.step(&event.event_type, event.schema_version) {
            let current = match value.take() {
                Some(v) => v,
                None => serde_json::from_str(&event.data).map_err(|e| StoreError::Corrupt {
                    position: event.position,
                    reason: e.to_string(),
                })?,
            };
            value = Some(step(current));
            event.schema_version += 1;
        }
        if let Some(v) = value {
            event.data = v.to_string();
        }
        Ok(event)
    }
}
