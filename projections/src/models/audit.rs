//! The `audit` index: the positions of the events each actor caused and of the events about
//! each user, so one user's history is read without scanning the log.

use foldhash::HashMap;
use roster_domain::ids::UserId;
use roster_domain::store::{Actor, Position};

/// Positions by actor and by subject, in log order.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct AuditIndex {
    by_actor: HashMap<Actor, Vec<Position>>,
    by_subject: HashMap<UserId, Vec<Position>>,
}

impl AuditIndex {
    /// Positions of the events `actor` caused, oldest first.
    pub fn by_actor(&self, actor: Actor) -> &[Position] {
        self.by_actor.get(&actor).map_or(&[], Vec::as_slice)
    }

    /// Positions of the events about `user` (their account, sessions, belongings, names),
    /// oldest first. Kept after deletion: the history of a deleted account stays auditable.
    pub fn by_subject(&self, user: UserId) -> &[Position] {
        self.by_subject.get(&user).map_or(&[], Vec::as_slice)
    }

    pub(crate) fn record(&mut self, position: Position, actor: Actor, subject: Option<UserId>) {
        self.by_actor.entry(actor).or_default().push(position);
        if let Some(user) = subject {
            self.by_subject.entry(user).or_default().push(position);
        }
    }
}
