//! given/when/then for deciders: `given(events).when(actor, command).then(events)`.
//!
//! The streams a decision reads are folded from the given events; a stream with no given
//! events is empty, exactly as in a store. Used by this crate's tests and by other crates',
//! through the `testing` feature that their dev-dependencies turn on: it panics by design, so
//! it stays out of the production library.

use crate::decision::{Command, Loaded};
use crate::event::Event;
use crate::store::Actor;

/// The history a test starts from.
pub struct Given {
    events: Vec<Event>,
}

/// Starts a test from `events`, in the order they were appended.
pub fn given(events: impl IntoIterator<Item = Event>) -> Given {
    Given {
        events: events.into_iter().collect(),
    }
}

/// A command under test, decided against the given history.
pub struct When<C: Command> {
    outcome: Result<Vec<Event>, C::Error>,
}

impl Given {
    /// Decides `command`, sent by `actor`, against the history.
    pub fn when<C: Command>(self, actor: Actor, command: C) -> When<C> {
        When {
            outcome: decide(&self.events, actor, &command),
        }
    }
}

impl<C: Command> When<C> {
    /// Asserts that the command was accepted with exactly these events.
    #[track_caller]
    pub fn then(self, expected: Vec<Event>) {
        match self.outcome {
            Ok(events) => assert_eq!(events, expected),
            Err(e) => panic!("expected events {expected:?}, but the command was refused: {e:?}"),
        }
    }

    /// Asserts that the command was accepted and changed nothing.
    #[track_caller]
    pub fn then_nothing(self) {
        self.then(vec![]);
    }

    /// Asserts that the command was refused with exactly this error.
    #[track_caller]
    pub fn then_error(self, expected: C::Error) {
        match self.outcome {
            Ok(events) => panic!("expected refusal {expected:?}, but got events {events:?}"),
            Err(e) => assert_eq!(e, expected),
        }
    }

    /// The raw outcome, for assertions the helpers above do not cover.
    pub fn outcome(self) -> Result<Vec<Event>, C::Error> {
        self.outcome
    }
}

/// Decides `command` against `history` the way the command path does, with every stream the
/// decision reads available (empty when the history has none of its events).
pub fn decide<C: Command>(
    history: &[Event],
    actor: Actor,
    command: &C,
) -> Result<Vec<Event>, C::Error> {
    let mut loaded = Loaded::from_events(history);
    loop {
        loaded.clear_reads();
        let outcome = command.decide(actor, &loaded);
        let missing = loaded.missing();
        if missing.is_empty() {
            return outcome;
        }
        for stream in missing {
            loaded.stream_mut(&stream);
        }
    }
}
