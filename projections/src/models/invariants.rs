//! What must hold of the read models after any replay, for `roster replay` to check: the
//! username index and the live users agree, and every session belongs to a user that existed.

use super::{ReadModels, Users};
use roster_domain::ids::UserId;

impl ReadModels {
    /// Every broken invariant, described (empty when all hold). `existed` tells whether a
    /// user was ever created (the models keep live users only; a replay knows the rest).
    pub fn invariant_breaches(&self, existed: impl Fn(UserId) -> bool) -> Vec<String> {
        let mut breaches = self.users.username_index_breaches();
        for session in self.sessions.every_session() {
            if !existed(session.user_id) {
                breaches.push(format!(
                    "session {} belongs to user {}, who never existed",
                    session.id, session.user_id
                ));
            }
        }
        breaches
    }
}

impl Users {
    /// What is wrong with the username index: an entry that points at no live user, a user
    /// indexed twice, or a live user their name does not find.
    fn username_index_breaches(&self) -> Vec<String> {
        let mut breaches = Vec::new();
        for ((id, name), count) in self.username_entries() {
            match name {
                None => breaches.push(format!(
                    "a username index entry points at user {id}, who is not live"
                )),
                Some(name) if count > 1 => breaches.push(format!(
                    "user {id} is in the username index {count} times under {name:?}"
                )),
                Some(_) => {}
            }
        }
        for user in self.all() {
            if self.with_username(&user.username) != Some(user.id) {
                breaches.push(format!(
                    "live user {} is not found by their username",
                    user.id
                ));
            }
        }
        breaches
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::ReadModels;
    use roster_domain::event::Event;
    use roster_domain::ids::SessionId;
    use roster_domain::session::{SessionEvent, SessionStarted};
    use roster_domain::store::{Actor, Metadata, Position};
    use uuid::Uuid;

    #[test]
    fn it_should_name_a_session_whose_owner_never_existed() {
        let mut models = ReadModels::default();
        let at = chrono::DateTime::UNIX_EPOCH + chrono::Duration::days(20_000);
        let metadata = Metadata {
            actor: Actor::System,
            correlation_id: Uuid::from_u128(1),
            causation_id: Uuid::from_u128(2),
            occurred_at: at,
        };
        let (session, owner) = (SessionId(Uuid::from_u128(3)), UserId(Uuid::from_u128(4)));
        let started = SessionStarted {
            user_id: owner,
            token_hash: roster_domain::values::TokenHash::parse(&"cd".repeat(32)).unwrap(),
            expires_at: at + chrono::Duration::days(7),
            user_agent: None,
            ip: None,
            remember_me: false,
        };
        let event = Event::Session(session, SessionEvent::Started(started));
        models.apply_decoded(Position(1), &metadata, Some(event));
        assert_eq!(
            models.invariant_breaches(|id| id == owner),
            Vec::<String>::new()
        );
        assert_eq!(
            models.invariant_breaches(|_| false),
            [format!(
                "session {session} belongs to user {owner}, who never existed"
            )]
        );
    }
}
