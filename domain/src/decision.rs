//! The decider's inputs: the folded state of every stream a command reads, and who is asking.
//!
//! A command's `decide` is pure. It reads aggregates through [`Loaded`], which records every
//! stream it touched; the command path loads whatever was touched but missing and decides
//! again, until nothing new is read. Every stream read is then guarded by its revision in the
//! same atomic append, so a decision can never rest on state that changed underneath it.

use crate::admins::ActiveAdmins;
use crate::challenge::LoginChallenge;
use crate::error::DomainError;
use crate::event::Event;
use crate::idempotency::IdempotentRequest;
use crate::ids::{AnnotationId, OntologyId, PersonaId, SessionId, UserId};
use crate::keyring::Keyring;
use crate::persona::PersonaState;
use crate::reservation::Reservation;
use crate::resource::ResourceState;
use crate::session::SessionState;
use crate::store::{Actor, Revision};
use crate::stream::{KeyringOwner, StreamId};
use crate::totp::SecondFactor;
use crate::user::{User, UserState};
use crate::values::TokenHash;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Debug;

/// A request to change something. Deciding it is pure: same state in, same events out.
pub trait Command: Debug {
    /// The typed refusal of this command's aggregate.
    type Error: Into<DomainError> + Debug + PartialEq;

    /// The events this command produces against `loaded`, or why it is refused. An empty list
    /// means there is nothing to change (e.g. granting admin to an admin).
    fn decide(&self, actor: Actor, loaded: &Loaded) -> Result<Vec<Event>, Self::Error>;
}

// Statics, not consts: values with a destructor are not promoted to `'static` references.
static NO_ADMINS: ActiveAdmins = ActiveAdmins::NONE;
static EMPTY_KEYRING: Keyring = Keyring::EMPTY;
static NO_SECOND_FACTOR: SecondFactor = SecondFactor::OFF;

/// Who is asking, as far as authorization is concerned, judged from the event log itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    /// Roster itself (bootstrap, migrations, cascades).
    System,
    /// An enabled administrator.
    Admin(UserId),
    /// An enabled user without the admin role.
    Member(UserId),
    /// Nobody Roster recognises: anonymous, unknown, disabled or deleted.
    Nobody,
}

impl Caller {
    /// Whether the caller may perform administrator actions.
    pub fn is_admin_or_system(self) -> bool {
        matches!(self, Caller::Admin(_) | Caller::System)
    }

    /// The caller's own user id, if it is a recognised user.
    pub fn user_id(self) -> Option<UserId> {
        match self {
            Caller::Admin(id) | Caller::Member(id) => Some(id),
            Caller::System | Caller::Nobody => None,
        }
    }

    /// Whether the caller is `owner` themself, an admin, or the system.
    pub fn may_act_for(self, owner: UserId) -> bool {
        self.is_admin_or_system() || self.user_id() == Some(owner)
    }
}

/// The folded state of one aggregate instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AggregateState {
    /// A user account.
    User(UserState),
    /// A username reservation.
    Username(Reservation),
    /// An email reservation.
    Email(Reservation),
    /// The set of enabled administrators.
    Admins(ActiveAdmins),
    /// A login session.
    Session(SessionState),
    /// A persona.
    Persona(PersonaState),
    /// An owner's API keys.
    Keyring(Keyring),
    /// An ontology.
    Ontology(ResourceState),
    /// An annotation.
    Annotation(ResourceState),
    /// A user's second factor.
    Totp(SecondFactor),
    /// A login challenge.
    Challenge(LoginChallenge),
    /// A request sent with an idempotency key.
    Idempotency(IdempotentRequest),
}

impl AggregateState {
    /// The state of a stream that has no events.
    pub fn initial(stream: &StreamId) -> AggregateState {
        match stream {
            StreamId::User(_) => AggregateState::User(UserState::Initial),
            StreamId::Username(_) => AggregateState::Username(Reservation::FREE),
            StreamId::Email(_) => AggregateState::Email(Reservation::FREE),
            StreamId::Admins => AggregateState::Admins(ActiveAdmins::NONE),
            StreamId::Session(_) => AggregateState::Session(SessionState::Initial),
            StreamId::Persona(_) => AggregateState::Persona(PersonaState::Initial),
            StreamId::Keyring(_) => AggregateState::Keyring(Keyring::EMPTY),
            StreamId::Ontology(_) => AggregateState::Ontology(ResourceState::Initial),
            StreamId::Annotation(_) => AggregateState::Annotation(ResourceState::Initial),
            StreamId::Totp(_) => AggregateState::Totp(SecondFactor::OFF),
            StreamId::Challenge(_) => AggregateState::Challenge(LoginChallenge::Initial),
            StreamId::Idempotency(_) => AggregateState::Idempotency(IdempotentRequest::Free),
        }
    }

    /// Folds one event of this stream into the state. Events of another aggregate kind are
    /// ignored (they cannot occur: the stream name decides how an event is decoded).
    pub fn evolve(&mut self, event: &Event) {
        match (self, event) {
            (AggregateState::User(s), Event::User(id, e)) => s.evolve(*id, e),
            (AggregateState::Username(s), Event::Username(_, e)) => s.evolve(e.holder_after()),
            (AggregateState::Email(s), Event::Email(_, e)) => s.evolve(e.holder_after()),
            (AggregateState::Admins(s), Event::Admins(e)) => s.evolve(e),
            (AggregateState::Session(s), Event::Session(_, e)) => s.evolve(e),
            (AggregateState::Persona(s), Event::Persona(_, e)) => s.evolve(e.into()),
            (AggregateState::Keyring(s), Event::Keyring(_, e)) => s.evolve(e),
            (AggregateState::Ontology(s), Event::Ontology(_, e)) => s.evolve(e.into()),
            (AggregateState::Annotation(s), Event::Annotation(_, e)) => s.evolve(e.into()),
            (AggregateState::Totp(s), Event::Totp(_, e)) => s.evolve(e),
            (AggregateState::Challenge(s), Event::Challenge(_, e)) => s.evolve(e),
            (AggregateState::Idempotency(s), Event::Idempotency(_, e)) => s.evolve(e),
            _ => {}
        }
    }
}

/// One loaded stream: its state and the revision it was at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedStream {
    /// The last revision folded in (`None`: the stream has no events).
    pub revision: Option<Revision>,
    /// The folded state.
    pub state: AggregateState,
}

/// The state of every stream loaded so far, and a record of which ones `decide` read.
#[derive(Debug, Default)]
pub struct Loaded {
    streams: BTreeMap<StreamId, LoadedStream>,
    read: RefCell<BTreeSet<StreamId>>,
}

impl Loaded {
    /// Nothing loaded yet.
    pub fn new() -> Loaded {
        Loaded::default()
    }

    /// Adds (or replaces) a loaded stream.
    pub fn insert(&mut self, stream: StreamId, loaded: LoadedStream) {
        self.streams.insert(stream, loaded);
    }

    /// Forgets a loaded stream, so that it is read again from its start.
    pub fn forget(&mut self, stream: &StreamId) {
        self.streams.remove(stream);
    }

    /// Builds the state of every stream from a list of events, as if each were stored in
    /// order (used by given/when/then tests and by callers that already hold the events).
    pub fn from_events(events: &[Event]) -> Loaded {
        let mut loaded = Loaded::new();
        for event in events {
            let entry = loaded.stream_mut(&event.stream());
            entry.state.evolve(event);
            entry.revision = Some(entry.revision.map_or(0, |r| r + 1));
        }
        loaded
    }

    /// The loaded stream, created empty (`revision: None`, initial state) if not loaded yet.
    pub fn stream_mut(&mut self, stream: &StreamId) -> &mut LoadedStream {
        self.streams
            .entry(stream.clone())
            .or_insert_with(|| LoadedStream {
                revision: None,
                state: AggregateState::initial(stream),
            })
    }

    /// The loaded stream, if loaded.
    pub fn get(&self, stream: &StreamId) -> Option<&LoadedStream> {
        self.streams.get(stream)
    }

    /// Streams that `decide` read but that are not loaded yet.
    pub fn missing(&self) -> Vec<StreamId> {
        self.read
            .borrow()
            .iter()
            .filter(|s| !self.streams.contains_key(s))
            .cloned()
            .collect()
    }

    /// Every stream `decide` read, with the revision it was loaded at.
    pub fn read_set(&self) -> Vec<(StreamId, Option<Revision>)> {
        self.read
            .borrow()
            .iter()
            .map(|s| (s.clone(), self.streams.get(s).and_then(|l| l.revision)))
            .collect()
    }

    /// Forgets which streams were read (before deciding again).
    pub fn clear_reads(&self) {
        self.read.borrow_mut().clear();
    }

    fn state(&self, stream: StreamId) -> Option<&AggregateState> {
        let state = self.streams.get(&stream).map(|l| &l.state);
        self.read.borrow_mut().insert(stream);
        state
    }

    /// Who `actor` is, judged from their user stream.
    pub fn caller(&self, actor: Actor) -> Caller {
        match actor {
            Actor::System => Caller::System,
            Actor::User(id) => match self.user(UserId(id)).live() {
                Some(user) if user.disabled => Caller::Nobody,
                Some(user) if user.is_admin => Caller::Admin(user.id),
                Some(user) => Caller::Member(user.id),
                None => Caller::Nobody,
            },
        }
    }

    /// A user account.
    pub fn user(&self, id: UserId) -> &UserState {
        match self.state(StreamId::User(id)) {
            Some(AggregateState::User(s)) => s,
            _ => &UserState::Initial,
        }
    }

    /// The live user `id`, if it exists and is not deleted.
    pub fn live_user(&self, id: UserId) -> Option<&User> {
        self.user(id).live()
    }

    /// The revision of user `id`'s stream, its last event's (`None`: no events). Read like its
    /// state, so the append guards the stream at exactly this revision.
    pub fn user_revision(&self, id: UserId) -> Option<Revision> {
        let stream = StreamId::User(id);
        let revision = self.streams.get(&stream).and_then(|l| l.revision);
        self.read.borrow_mut().insert(stream);
        revision
    }

    /// Who holds a username (by its lowercased key).
    pub fn username(&self, key: &str) -> &Reservation {
        match self.state(StreamId::Username(key.to_owned())) {
            Some(AggregateState::Username(s)) => s,
            _ => &Reservation::FREE,
        }
    }

    /// Who holds an email address (by its key, [`Email::key`](crate::values::Email::key)).
    pub fn email(&self, key: &str) -> &Reservation {
        match self.state(StreamId::Email(key.to_owned())) {
            Some(AggregateState::Email(s)) => s,
            _ => &Reservation::FREE,
        }
    }

    /// The enabled administrators.
    pub fn admins(&self) -> &ActiveAdmins {
        match self.state(StreamId::Admins) {
            Some(AggregateState::Admins(s)) => s,
            _ => &NO_ADMINS,
        }
    }

    /// A session.
    pub fn session(&self, id: SessionId) -> &SessionState {
        match self.state(StreamId::Session(id)) {
            Some(AggregateState::Session(s)) => s,
            _ => &SessionState::Initial,
        }
    }

    /// A persona.
    pub fn persona(&self, id: PersonaId) -> &PersonaState {
        match self.state(StreamId::Persona(id)) {
            Some(AggregateState::Persona(s)) => s,
            _ => &PersonaState::Initial,
        }
    }

    /// An owner's API keys.
    pub fn keyring(&self, owner: KeyringOwner) -> &Keyring {
        match self.state(StreamId::Keyring(owner)) {
            Some(AggregateState::Keyring(s)) => s,
            _ => &EMPTY_KEYRING,
        }
    }

    /// An ontology.
    pub fn ontology(&self, id: OntologyId) -> &ResourceState {
        match self.state(StreamId::Ontology(id)) {
            Some(AggregateState::Ontology(s)) => s,
            _ => &ResourceState::Initial,
        }
    }

    /// An annotation.
    pub fn annotation(&self, id: AnnotationId) -> &ResourceState {
        match self.state(StreamId::Annotation(id)) {
            Some(AggregateState::Annotation(s)) => s,
            _ => &ResourceState::Initial,
        }
    }

    /// A user's second factor.
    pub fn totp(&self, user: UserId) -> &SecondFactor {
        match self.state(StreamId::Totp(user)) {
            Some(AggregateState::Totp(s)) => s,
            _ => &NO_SECOND_FACTOR,
        }
    }

    /// A login challenge, by the SHA-256 of its token.
    pub fn challenge(&self, hash: &TokenHash) -> &LoginChallenge {
        match self.state(StreamId::Challenge(hash.clone())) {
            Some(AggregateState::Challenge(s)) => s,
            _ => &LoginChallenge::Initial,
        }
    }

    /// The request an idempotency key names, by the key's stream hash.
    pub fn idempotent_request(&self, hash: &TokenHash) -> &IdempotentRequest {
        match self.state(StreamId::Idempotency(hash.clone())) {
            Some(AggregateState::Idempotency(s)) => s,
            _ => &IdempotentRequest::Free,
        }
    }
}
