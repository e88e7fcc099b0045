//! The read models and how one stored event changes them.
//!
//! All of them live in one [`ReadModels`] value updated by a single writer (the runner), so
//! a reader always sees every model at the same position: a user list and its statistics
//! never disagree.

mod audit;
mod deadlines;
mod invariants;
mod keyed;
mod owned;
mod search;
mod second_factors;
mod sessions;
mod users;

pub use audit::AuditIndex;
pub use owned::{ApiKeyView, NamedView, Owned, OwnedIndex};
pub use second_factors::{ChallengeView, SecondFactors};
pub use sessions::{PRUNE_GRACE, SessionView, Sessions};
pub use users::{UserFilter, UserPage, UserView, Users};

use chrono::{DateTime, Duration, Utc};
use roster_domain::admins::AdminsEvent;
use roster_domain::challenge::ChallengeEvent;
use roster_domain::event::Event;
use roster_domain::ids::UserId;
use roster_domain::persona::PersonaEvent;
use roster_domain::resource::{AnnotationEvent, OntologyEvent};
use roster_domain::session::SessionEvent;
use roster_domain::store::{Metadata, Position, Recorded};
use roster_domain::stream::{KeyringOwner, StreamId};
use roster_domain::user::UserEvent;

/// A read model's name and version. Changing what a model computes bumps its version. The
/// models are kept in memory only and rebuilt from the log at every start of `roster serve`
/// (the replay before it serves), so a new version takes effect at the next start;
/// `roster replay` rebuilds them the same way without serving, and checks what it built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProjectionInfo {
    /// Stable name.
    pub name: &'static str,
    /// Version of what it computes.
    pub version: u32,
}

/// Every read model Roster keeps, with the version of what it computes.
///
/// Whoever changes what a model computes (a field it holds, a rule it applies, an event it
/// reads differently) bumps that model's version here in the same change: the version is how
/// a deployment tells that what it built, kept or compares came from other rules, and
/// rebuilds it by replay. A change that computes the same (faster, smaller) keeps it.
pub const PROJECTIONS: [ProjectionInfo; 5] = [
    // 2: search forms fold the final sigma. 3: each user's version (its stream's revision).
    ProjectionInfo {
        name: "users",
        version: 3,
    },
    // 2: a user id created again counts its admin role once.
    ProjectionInfo {
        name: "stats",
        version: 2,
    },
    ProjectionInfo {
        name: "sessions",
        version: 1,
    },
    // 2: transfers under both owners; the end or use of sessions the models dropped.
    // 3: second-factor and login-challenge events, under the user they are about.
    ProjectionInfo {
        name: "audit",
        version: 3,
    },
    ProjectionInfo {
        name: "second_factors",
        version: 1,
    },
];

/// The name and version of every read model, in [`PROJECTIONS`] order, for whatever reports
/// or compares them (only the tests do today). What rebuilds the models is the replay at the
/// start of `roster serve` (and `roster replay`, which stops there and checks them); the
/// replay benchmark (`cargo bench -p roster-projections --bench replay`) measures it.
pub fn projection_versions() -> [(&'static str, u32); PROJECTIONS.len()] {
    PROJECTIONS.map(|projection| (projection.name, projection.version))
}

/// The guide's three per-user counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct UserStats {
    /// Personas the user owns.
    pub personas: usize,
    /// Sessions that still work.
    pub active_sessions: usize,
    /// The user's own API keys.
    pub api_keys: usize,
}

/// Totals across the deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SystemTotals {
    /// Live users.
    pub users: usize,
    /// Live users with the admin role.
    pub admins: usize,
    /// Sessions that still work.
    pub active_sessions: usize,
}

/// What happened to one stored event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// It changed the models.
    Applied,
    /// It was at or before the last position applied (replayed twice): ignored.
    AlreadyApplied,
    /// Its stream or type is unknown to this version: skipped, position still advanced.
    Skipped,
}

/// All read models, at one position of the log.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReadModels {
    /// Live users.
    pub users: Users,
    /// Sessions that have not ended.
    pub sessions: Sessions,
    /// Personas, API keys, ontologies, annotations.
    pub owned: Owned,
    /// Positions by actor and subject.
    pub audit: AuditIndex,
    /// Second factors and pending login challenges.
    pub second_factors: SecondFactors,
    position: Position,
    skipped: u64,
}

impl ReadModels {
    /// Empty models whose sessions end after `idle_timeout` without activity.
    pub fn with_idle_timeout(idle_timeout: Duration) -> ReadModels {
        ReadModels {
            sessions: Sessions::with_idle_timeout(idle_timeout),
            ..ReadModels::default()
        }
    }

    /// The position of the last event applied.
    pub fn position(&self) -> Position {
        self.position
    }

    /// How many events were skipped as unknown.
    pub fn skipped(&self) -> u64 {
        self.skipped
    }

    /// A user's counts at `now`.
    pub fn stats(&self, user: UserId, now: DateTime<Utc>) -> UserStats {
        UserStats {
            personas: self.owned.personas.count_of(user),
            active_sessions: self.sessions.count_of_user(user, now),
            api_keys: self.owned.api_keys.count_of(KeyringOwner::User(user)),
        }
    }

    /// Deployment totals at `now`.
    pub fn totals(&self, now: DateTime<Utc>) -> SystemTotals {
        SystemTotals {
            users: self.users.count(),
            admins: self.users.admin_count(),
            active_sessions: self.sessions.active_count(now),
        }
    }

    /// Drops the sessions that stopped working more than [`PRUNE_GRACE`] before `now` (see
    /// [`Sessions::prune_expired`]); returns how many went. Call it on a timer: nothing in the
    /// log ends an expired session, so without it they stay in memory for good.
    pub fn prune_expired(&mut self, now: DateTime<Utc>) -> usize {
        self.sessions.prune_expired(now)
    }

    /// Applies one stored event. Never fails: an event this version cannot read is skipped.
    pub fn apply(&mut self, recorded: &Recorded) -> Applied {
        let event = Event::decode(&recorded.stream, &recorded.event_type, &recorded.data);
        if let Err(error) = &event {
            tracing::debug!(%error, position = %recorded.position, "unknown event");
        }
        self.apply_decoded(recorded.position, &recorded.metadata, event.ok())
    }

    /// Applies an event already decoded (`None`: it could not be, and is skipped).
    pub fn apply_decoded(
        &mut self,
        position: Position,
        metadata: &Metadata,
        event: Option<Event>,
    ) -> Applied {
        if position <= self.position {
            return Applied::AlreadyApplied;
        }
        self.position = position;
        match event {
            Some(event) => {
                self.apply_event(event, metadata, position);
                Applied::Applied
            }
            None => {
                self.skipped += 1;
                Applied::Skipped
            }
        }
    }

    fn apply_event(&mut self, event: Event, metadata: &Metadata, position: Position) {
        let at = metadata.occurred_at;
        let (subject, also) = self.subjects_of(&event);
        self.audit.record(position, metadata.actor, subject, also);
        match &event {
            Event::User(id, UserEvent::Created(created)) if created.is_admin => {
                self.audit.record_admin(*id)
            }
            Event::User(id, UserEvent::AdminGranted {}) => self.audit.record_admin(*id),
            _ => {}
        }
        match event {
            Event::User(id, e) => {
                match &e {
                    UserEvent::Deleted {} => {
                        self.sessions.end_all_of_deleted(id);
                        self.owned.remove_everything_of(id);
                        self.second_factors.forget_user(id);
                    }
                    UserEvent::Disabled {} => self.sessions.end_all_of(id, None),
                    UserEvent::PasswordReset(r) if r.revoke_sessions => {
                        self.sessions.end_all_of(id, None)
                    }
                    UserEvent::PasswordChanged(c) => self.sessions.end_all_of(id, c.kept_session),
                    _ => {}
                }
                self.users.apply(id, e, at, position);
            }
            Event::Session(id, e) => self.sessions.apply(id, e, at),
            Event::Persona(id, e) => self.owned.apply_persona(id, e, at),
            Event::Keyring(owner, e) => self.owned.apply_keyring(owner, e, at),
            Event::Ontology(id, e) => match e {
                OntologyEvent::Created { owner, name } => {
                    self.owned
                        .ontologies
                        .insert(id, owner, NamedView::new(name, at))
                }
                OntologyEvent::Deleted {} => self.owned.ontologies.remove(id),
            },
            Event::Annotation(id, e) => match e {
                AnnotationEvent::Created { owner, name } => {
                    self.owned
                        .annotations
                        .insert(id, owner, NamedView::new(name, at))
                }
                AnnotationEvent::Deleted {} => self.owned.annotations.remove(id),
            },
            Event::Totp(user, e) => self.second_factors.apply_totp(user, &e),
            Event::Challenge(hash, e) => self.second_factors.apply_challenge(hash, e, at),
            // What a request with an idempotency key answered is no read model's business.
            Event::Username(..) | Event::Email(..) | Event::Admins(_) | Event::Idempotency(..) => {}
        }
    }

    /// The users an event is about (a second one only for a persona transfer), looked up
    /// before the event changes the models.
    fn subjects_of(&self, event: &Event) -> (Option<UserId>, Option<UserId>) {
        match event {
            Event::Persona(_, PersonaEvent::Transferred { from, to }) => (Some(*from), Some(*to)),
            event => (self.subject_of(event), None),
        }
    }

    /// The one user an event is about.
    fn subject_of(&self, event: &Event) -> Option<UserId> {
        match event {
            Event::User(id, _) => Some(*id),
            Event::Username(_, e) => Some(e.user_id()),
            Event::Email(_, e) => Some(e.user_id()),
            Event::Admins(AdminsEvent::Added { user_id } | AdminsEvent::Removed { user_id }) => {
                Some(*user_id)
            }
            Event::Session(_, SessionEvent::Started(e)) => Some(e.user_id),
            // Also a session the models dropped already (ended by an account change, or
            // pruned): its end or use is still part of its owner's history.
            Event::Session(id, _) => self.sessions.owner_of_any(*id),
            Event::Persona(_, PersonaEvent::Created { owner, .. }) => Some(*owner),
            Event::Persona(id, _) => self.owned.personas.get(*id).map(|(owner, _)| owner),
            Event::Keyring(owner, _) => StreamId::Keyring(*owner).user(),
            Event::Ontology(_, OntologyEvent::Created { owner, .. }) => Some(*owner),
            Event::Ontology(id, _) => self.owned.ontologies.get(*id).map(|(owner, _)| owner),
            Event::Annotation(_, AnnotationEvent::Created { owner, .. }) => Some(*owner),
            Event::Annotation(id, _) => self.owned.annotations.get(*id).map(|(owner, _)| owner),
            Event::Totp(user, _) => Some(*user),
            Event::Challenge(_, ChallengeEvent::Issued(issued)) => Some(issued.user_id),
            Event::Challenge(_, ChallengeEvent::Completed { user_id, .. }) => Some(*user_id),
            // Indexed by its actor only: the caller who sent the request.
            Event::Idempotency(..) => None,
        }
    }
}
