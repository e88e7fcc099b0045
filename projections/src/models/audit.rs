//! The `audit` index: the positions of the events each actor caused and of the events about
//! each user, so one user's history is read without scanning the log.
//!
//! Every event adds a position to one or two lists, so this index grows with the log, not with
//! the users. Positions in a list only grow, and are usually close together, so each list keeps
//! the gaps between them as LEB128 varints: one or two bytes an entry instead of eight, and a
//! short history fits inline in its map entry without an allocation of its own.

use foldhash::{HashMap, HashSet};
use roster_domain::ids::UserId;
use roster_domain::store::{Actor, Position};
use smallvec::SmallVec;

/// Positions by actor and by subject, in log order.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct AuditIndex {
    by_actor: HashMap<Actor, Positions>,
    by_subject: HashMap<UserId, Positions>,
    /// Every user who ever held the admin role: the accounts whose histories say who was an
    /// administrator at a given time (a set: the bench population grants thousands).
    admins_ever: HashSet<UserId>,
}

impl AuditIndex {
    /// Positions of the events `actor` caused, oldest first.
    pub fn by_actor(&self, actor: Actor) -> Vec<Position> {
        self.by_actor
            .get(&actor)
            .map_or_else(Vec::new, Positions::to_vec)
    }

    /// Positions of the events about `user` (their account, sessions, belongings, names),
    /// oldest first. Kept after deletion: the history of a deleted account stays auditable.
    pub fn by_subject(&self, user: UserId) -> Vec<Position> {
        self.by_subject
            .get(&user)
            .map_or_else(Vec::new, Positions::to_vec)
    }

    /// Every user who ever held the admin role (deleted ones too), in no particular order.
    pub fn admins_ever(&self) -> Vec<UserId> {
        self.admins_ever.iter().copied().collect()
    }

    /// Records that `user` holds the admin role (created with it, or granted it).
    pub(crate) fn record_admin(&mut self, user: UserId) {
        self.admins_ever.insert(user);
    }

    /// Records the event at `position`, caused by `actor`, about `subject` and about `also`
    /// (an event can concern two users: a persona's old and new owner).
    pub(crate) fn record(
        &mut self,
        position: Position,
        actor: Actor,
        subject: Option<UserId>,
        also: Option<UserId>,
    ) {
        self.by_actor.entry(actor).or_default().push(position);
        if let Some(user) = subject {
            self.by_subject.entry(user).or_default().push(position);
        }
        if let Some(user) = also.filter(|user| Some(*user) != subject) {
            self.by_subject.entry(user).or_default().push(position);
        }
    }
}

/// Growing positions, as varint gaps from the previous one (the first from 0).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Positions {
    /// The last position pushed, so a push does not decode the whole list.
    last: u64,
    /// A dozen gaps of a byte or two fit inline: most users' histories.
    gaps: SmallVec<[u8; 16]>,
}

impl Positions {
    fn push(&mut self, position: Position) {
        // The models apply each position once and in order (`apply_decoded` ignores anything
        // not past the last one), so gaps are never negative; saturating keeps a broken caller
        // from corrupting the list, at worst repeating the previous position.
        let mut gap = position.0.saturating_sub(self.last);
        self.last = self.last.max(position.0);
        loop {
            let byte = (gap & 0x7f) as u8;
            gap >>= 7;
            if gap == 0 {
                self.gaps.push(byte);
                return;
            }
            self.gaps.push(byte | 0x80);
        }
    }

    fn to_vec(&self) -> Vec<Position> {
        let mut positions = Vec::new();
        let (mut current, mut gap, mut shift) = (0u64, 0u64, 0u32);
        for &byte in &self.gaps {
            gap |= u64::from(byte & 0x7f) << shift;
            shift += 7;
            if byte & 0x80 == 0 {
                current += gap;
                positions.push(Position(current));
                (gap, shift) = (0, 0);
            }
        }
        positions
    }
}
