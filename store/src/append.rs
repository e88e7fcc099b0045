//! The append rules, written once for every adapter that can run them inside one atomic unit
//! (a SQLite SAVEPOINT, a held lock), so that the adapters cannot drift apart on what an append
//! means: shape checks, then idempotent re-sends, then every expectation, then the writes.

use roster_domain::store::{
    AppendError, Appended, Expected, NewEvent, Position, Recorded, Revision, StoreError,
    StreamAppend,
};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// What the rules need from a backend, seen from inside the atomic unit the append runs in.
pub(crate) trait AppendTarget {
    /// The last revision of `stream`, `None` while it has no events.
    fn current_revision(&mut self, stream: &str) -> Result<Option<Revision>, StoreError>;

    /// The stream and position of the stored event `event_id`, if it is stored.
    fn locate(&mut self, event_id: Uuid) -> Result<Option<(String, Position)>, StoreError>;

    /// The last revision of `stream` among the events at or before `at`.
    fn revision_at(&mut self, stream: &str, at: Position) -> Result<Option<Revision>, StoreError>;

    /// The position of the last stored event.
    fn head(&mut self) -> Result<Position, StoreError>;

    /// Stores one event and returns its position; [`AppendError::Invalid`] if its id is taken.
    fn insert(
        &mut self,
        stream: &str,
        revision: Revision,
        event: &NewEvent,
    ) -> Result<Position, AppendError>;
}

/// Runs one append against `target`. On an error the caller must undo whatever was inserted
/// (roll back the savepoint, drop the staged events): the rules stop at the first failure.
pub(crate) fn append(
    target: &mut impl AppendTarget,
    batch: &[StreamAppend],
) -> Result<Appended, AppendError> {
    check_shape(batch)?;
    if let Some(original) = resent(target, batch)? {
        return Ok(original);
    }

    // Every expectation is checked before anything is written, so that a failing stream later
    // in the batch reports a conflict rather than leaving half a batch to roll back.
    let mut currents = Vec::with_capacity(batch.len());
    for part in batch {
        let current = target.current_revision(&part.stream)?;
        if !part.expected.is_met_by(current) {
            return Err(AppendError::Conflict {
                stream: part.stream.clone(),
                expected: part.expected,
                actual: current,
            });
        }
        currents.push(current);
    }

    let mut last_written = None;
    let mut revisions = Vec::with_capacity(batch.len());
    for (part, current) in batch.iter().zip(currents) {
        let mut revision = current;
        for event in &part.events {
            let next = match revision {
                None => 0,
                Some(last) => last.checked_add(1).ok_or_else(|| {
                    AppendError::Invalid(format!("stream {} has no revisions left", part.stream))
                })?,
            };
            last_written = Some(target.insert(&part.stream, next, event)?);
            revision = Some(next);
        }
        revisions.push((part.stream.clone(), revision));
    }
    let last_position = match last_written {
        Some(position) => position,
        None => target.head()?,
    };
    Ok(Appended {
        last_position,
        revisions,
    })
}

/// Rejects what no backend could write sensibly: nothing, a nameless stream, a stream twice
/// (its expectation would be ambiguous), or an event id twice.
fn check_shape(batch: &[StreamAppend]) -> Result<(), AppendError> {
    if batch.is_empty() {
        return Err(AppendError::Invalid(
            "an append names at least one stream".to_owned(),
        ));
    }
    let mut streams = HashSet::with_capacity(batch.len());
    let mut ids = HashSet::new();
    for part in batch {
        if part.stream.is_empty() {
            return Err(AppendError::Invalid("a stream name is empty".to_owned()));
        }
        if !streams.insert(part.stream.as_str()) {
            return Err(AppendError::Invalid(format!(
                "stream {} appears twice in one append",
                part.stream
            )));
        }
        for event in &part.events {
            if !ids.insert(event.event_id) {
                return Err(AppendError::Invalid(format!(
                    "event {} appears twice in one append",
                    event.event_id
                )));
            }
        }
    }
    Ok(())
}

/// Recognises a re-sent batch (a retry after a lost reply) by its first event id, and rebuilds
/// the reply of the original write. Only the first id is looked up on the common path, so a
/// fresh append pays one index probe; a batch that is only partly stored is refused.
fn resent(
    target: &mut impl AppendTarget,
    batch: &[StreamAppend],
) -> Result<Option<Appended>, AppendError> {
    let Some(first) = batch.iter().find_map(|part| part.events.first()) else {
        return Ok(None); // a pure check has nothing to recognise
    };
    if target.locate(first.event_id)?.is_none() {
        return Ok(None);
    }
    let events = batch
        .iter()
        .flat_map(|part| part.events.iter().map(move |e| (&part.stream, e.event_id)));
    let mut last_position = Position::START;
    for (stream, event_id) in events {
        match target.locate(event_id)? {
            Some((stored, position)) if stored == *stream => {
                last_position = last_position.max(position);
            }
            Some(_) => {
                return Err(AppendError::Invalid(format!(
                    "event {event_id} is already stored in another stream"
                )));
            }
            None => {
                return Err(AppendError::Invalid(format!(
                    "this batch was partly stored before: event {event_id} is new"
                )));
            }
        }
    }
    // The original batch was committed as one unit, so each stream's revision as of its last
    // event is what the original reply said, including for streams it only checked.
    let mut revisions = Vec::with_capacity(batch.len());
    for part in batch {
        let revision = target.revision_at(&part.stream, last_position)?;
        revisions.push((part.stream.clone(), revision));
    }
    Ok(Some(Appended {
        last_position,
        revisions,
    }))
}

/// Runs one import (see `EventStore::import`) against `target`: every event must be the next
/// of its stream and new. On an error the caller undoes whatever was inserted, as for
/// [`append`].
pub(crate) fn import(
    target: &mut impl AppendTarget,
    events: Vec<Recorded>,
) -> Result<Position, AppendError> {
    let mut ids = HashSet::with_capacity(events.len());
    // Each stream's revision as this import leaves it: read once per stream, then counted.
    let mut revisions: HashMap<String, Option<Revision>> = HashMap::new();
    let mut last_written = None;
    for recorded in events {
        if !ids.insert(recorded.event_id) {
            return Err(AppendError::Invalid(format!(
                "event {} appears twice in one import",
                recorded.event_id
            )));
        }
        let current = match revisions.get(&recorded.stream) {
            Some(current) => *current,
            None => target.current_revision(&recorded.stream)?,
        };
        let next = current.map_or(0, |last| last.saturating_add(1));
        if recorded.revision != next {
            return Err(AppendError::Conflict {
                stream: recorded.stream,
                expected: match recorded.revision.checked_sub(1) {
                    None => Expected::NoStream,
                    Some(previous) => Expected::Exact(previous),
                },
                actual: current,
            });
        }
        let stream = recorded.stream;
        let event = NewEvent {
            event_id: recorded.event_id,
            event_type: recorded.event_type,
            schema_version: recorded.schema_version,
            data: recorded.data,
            metadata: recorded.metadata,
        };
        last_written = Some(target.insert(&stream, next, &event)?);
        revisions.insert(stream, Some(next));
    }
    match last_written {
        Some(position) => Ok(position),
        None => Ok(target.head()?),
    }
}
