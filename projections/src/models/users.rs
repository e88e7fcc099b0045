//! The `users` read model: every live user, newest first, with search, an admin filter and
//! cursor pagination.
//!
//! Order is the global position of each user's `UserCreated`: unique and fixed, so ties cannot
//! happen and a cursor ("users created before position P") stays valid while users are added
//! (they sort before every page already served) or deleted (they simply drop out).
//!
//! Longer than most files on purpose: the view, its indexes (by id, by name, by creation
//! order, the search text) and the application of each event are kept together, so that every
//! index update sits beside the event that causes it.

use super::keyed::{Index, Keyed, Table};
use super::search::SearchText;
use chrono::{DateTime, Utc};
use foldhash::HashMap;
use foldhash::fast::RandomState;
use roster_domain::ids::UserId;
use roster_domain::store::{Position, Revision};
use roster_domain::user::UserEvent;
use roster_domain::values::PasswordHash;
use std::hash::{BuildHasher, Hasher};

/// One live user, as lists and profiles show them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserView {
    /// Id.
    pub id: UserId,
    /// Username as typed.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// Email, if any.
    pub email: Option<String>,
    /// Has the admin role.
    pub is_admin: bool,
    /// Cannot log in.
    pub disabled: bool,
    /// Must choose a new password at next login.
    pub must_change_password: bool,
    /// When the account was created.
    pub created_at: DateTime<Utc>,
    /// When the account last changed.
    pub updated_at: DateTime<Utc>,
    /// Position of `UserCreated`: the sort key and cursor.
    pub created_position: Position,
    /// The account's version: the revision of its `user-{uuid}` stream, the 0-based index of
    /// its last event (`UserCreated` is 0, every later event of the account adds one). What a
    /// client sends back to have a change refused when someone else changed the account since.
    pub version: Revision,
    /// Current argon2id hash (for login verification; never shown, redacted in `Debug`).
    pub password_hash: PasswordHash,
    /// The entry of the users' search text that holds this view's folded fields.
    search_entry: u32,
}

impl Keyed for UserView {
    type Key = UserId;
    fn key(&self) -> UserId {
        self.id
    }
}

impl UserView {
    /// The username, display name and email, as search sees them.
    fn search_fields(&self) -> [&str; 3] {
        [
            self.username.as_str(),
            self.display_name.as_str(),
            self.email.as_deref().unwrap_or(""),
        ]
    }

    /// Whether `search` occurs, ignoring case, within the username, the display name or the
    /// email (within one of them: never across two). Lists search all users at once through
    /// their shared search text; this is for one view.
    pub fn matches(&self, search: &str) -> bool {
        let needle: String = fold_case(search).collect();
        self.search_fields().iter().any(|field| {
            let folded: String = fold_case(field).collect();
            folded.contains(&needle)
        })
    }
}

/// The case folding search applies to the fields and to the needle alike. Character by
/// character, unlike `str::to_lowercase`, which lowercases a word-final capital sigma to `ς`
/// and so would fold "ΟΔΟΣ" the needle differently from "ΟΔΟΣ" in a longer field; and `ς`
/// folds to `σ`, so a search typed in lowercase finds the word however it ends.
pub(crate) fn fold_case(text: &str) -> impl Iterator<Item = char> + '_ {
    text.chars()
        .flat_map(char::to_lowercase)
        .map(|c| if c == 'ς' { 'σ' } else { c })
}

/// What to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserFilter {
    /// Case-insensitive substring of username, display name or email.
    pub search: Option<String>,
    /// Only admins (`Some(true)`) or only non-admins (`Some(false)`).
    pub is_admin: Option<bool>,
}

/// One page of users, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserPage {
    /// The users, newest first.
    pub users: Vec<UserView>,
    /// Whether more users match after the last one.
    pub has_next_page: bool,
    /// How many users match the filter in all.
    pub total_count: usize,
}

/// Every live user.
#[derive(Debug, Default, Clone)]
pub struct Users {
    by_id: Table<UserView>,
    /// Every user ever created, in creation order (positions only grow, so this stays sorted
    /// by appending). Deleted users are left in place, skipped on reading, and swept out once
    /// they are half the list: a vector costs a third of a B-tree per user.
    created: Vec<(Position, UserId)>,
    /// Deleted users still in `created`.
    deleted: usize,
    /// User ids, found by the username their view holds, in any ASCII letter case.
    by_username: Index<UserId>,
    admins: usize,
    /// Every view's folded search fields, in one buffer.
    search: SearchText,
}

impl PartialEq for Users {
    fn eq(&self, other: &Self) -> bool {
        self.by_id == other.by_id
            && self.all().map(|u| u.id).eq(other.all().map(|u| u.id))
            && self.username_entries() == other.username_entries()
            && self.admins == other.admins
            && self.search == other.search
    }
}

impl Eq for Users {}

/// The hash of a username in any ASCII letter case (usernames are ASCII).
fn username_hash(state: &RandomState, username: &str) -> u64 {
    let mut hasher = state.build_hasher();
    for byte in username.bytes() {
        hasher.write_u8(byte.to_ascii_lowercase());
    }
    hasher.finish()
}

impl Users {
    /// A live user by id.
    pub fn get(&self, id: UserId) -> Option<&UserView> {
        self.by_id.get(id)
    }

    /// A live user by username, in any letter case.
    pub fn by_username(&self, username: &str) -> Option<&UserView> {
        let username = username.trim();
        self.with_username(username)
            .and_then(|id| self.by_id.get(id))
    }

    pub(super) fn with_username(&self, username: &str) -> Option<UserId> {
        let hash = self
            .by_username
            .hash_with(|state| username_hash(state, username));
        self.by_username.find(hash, |id| {
            self.by_id
                .get(id)
                .is_some_and(|u| u.username.eq_ignore_ascii_case(username))
        })
    }

    /// The username index's entries, by lowercase name, for comparing two models.
    pub(super) fn username_entries(&self) -> HashMap<(UserId, Option<String>), usize> {
        self.by_username.entries(
            |id| self.by_id.get(id).map(|u| u.username.to_ascii_lowercase()),
            |state, name| username_hash(state, name),
        )
    }

    /// Drops the username index entry of user `id`, while its view is still there.
    fn unindex_username(&mut self, id: UserId) {
        if let Some(user) = self.by_id.get(id) {
            let hash = self
                .by_username
                .hash_with(|state| username_hash(state, &user.username));
            self.by_username.remove(hash, id);
        }
    }

    /// How many live users there are.
    pub fn count(&self) -> usize {
        self.by_id.len()
    }

    /// How many live users have the admin role.
    pub fn admin_count(&self) -> usize {
        self.admins
    }

    /// Users matching `filter`, newest first: the first `first` created before `after` (a
    /// `created_position` from an earlier page), or from the newest when `after` is `None`.
    pub fn page(&self, filter: &UserFilter, first: usize, after: Option<Position>) -> UserPage {
        let needle = filter
            .search
            .as_deref()
            .map(|s| fold_case(s.trim()).collect::<String>())
            .filter(|s| !s.is_empty());
        let admin_wanted =
            |user: &UserView| filter.is_admin.is_none_or(|admin| user.is_admin == admin);
        let upper = after.unwrap_or(Position(u64::MAX));
        let page_of = |users: &mut dyn Iterator<Item = &UserView>| {
            users
                .take(first.saturating_add(1))
                .cloned()
                .collect::<Vec<_>>()
        };
        let (mut users, total_count) = match needle {
            None if filter.is_admin.is_none() => {
                let end = self.created.partition_point(|(p, _)| *p < upper);
                let mut newest = self.live(&self.created[..end]);
                (page_of(&mut newest), self.by_id.len())
            }
            None => {
                // One pass: the page is taken from the matches after the cursor, and every
                // match is counted for `totalCount`.
                let mut total = 0;
                let mut matches = self
                    .all()
                    .filter(|user| admin_wanted(user))
                    .inspect(|_| total += 1)
                    .filter(|user| user.created_position < upper);
                let page = page_of(&mut matches);
                matches.for_each(drop);
                (page, total)
            }
            Some(needle) => {
                // One scan of the search text finds every match; only current entries count.
                let mut found: Vec<(u32, &UserView)> = self
                    .search
                    .find(&needle)
                    .into_iter()
                    .filter_map(|hit| {
                        let (position, id) = *self.created.get(hit.slot as usize)?;
                        let user = self.by_id.get(id)?;
                        (user.created_position == position && user.search_entry == hit.entry)
                            .then_some((hit.slot, user))
                    })
                    .filter(|(_, user)| admin_wanted(user))
                    .collect();
                let total = found.len();
                found.sort_unstable_by_key(|(slot, _)| std::cmp::Reverse(*slot));
                let mut newest = found
                    .into_iter()
                    .map(|(_, user)| user)
                    .filter(|user| user.created_position < upper);
                (page_of(&mut newest), total)
            }
        };
        let has_next_page = users.len() > first;
        users.truncate(first);
        UserPage {
            users,
            has_next_page,
            total_count,
        }
    }

    /// Every live user, newest first.
    pub fn all(&self) -> impl Iterator<Item = &UserView> {
        self.live(&self.created)
    }

    /// The live users of a stretch of `created`, newest first.
    fn live<'a>(
        &'a self,
        created: &'a [(Position, UserId)],
    ) -> impl Iterator<Item = &'a UserView> + 'a {
        created.iter().rev().filter_map(|(position, id)| {
            self.by_id
                .get(*id)
                .filter(|user| user.created_position == *position)
        })
    }

    /// Rebuilds the search text from the current views, in creation order.
    fn rebuild_search(&mut self) {
        self.search.clear();
        for (slot, (position, id)) in self.created.iter().enumerate() {
            if let Some(user) = self.by_id.get_mut(*id)
                && user.created_position == *position
            {
                let slot = u32::try_from(slot).unwrap_or(u32::MAX);
                user.search_entry = self.search.push(slot, user.search_fields());
            }
        }
        self.search.shrink();
    }

    pub(crate) fn apply(
        &mut self,
        id: UserId,
        event: UserEvent,
        at: DateTime<Utc>,
        position: Position,
    ) {
        let user = match event {
            UserEvent::Created(e) => {
                // A name belongs to one user: a newer one with the same name takes it over.
                if let Some(holder) = self.with_username(e.username.as_str()) {
                    self.unindex_username(holder);
                }
                self.unindex_username(id);
                // Created again over a live view (only a hand-made log does that): the stream
                // goes on, and so does the version.
                let version = self.by_id.get(id).map_or(0, |user| user.version + 1);
                let mut user = UserView {
                    id,
                    username: e.username.into_string(),
                    display_name: e.display_name.into_string(),
                    email: e.email.map(|m| m.into_string()),
                    is_admin: e.is_admin,
                    disabled: false,
                    must_change_password: e.must_change_password,
                    created_at: at,
                    updated_at: at,
                    created_position: position,
                    version,
                    password_hash: e.password_hash,
                    search_entry: 0,
                };
                let slot = u32::try_from(self.created.len()).unwrap_or(u32::MAX);
                user.search_entry = self.search.push(slot, user.search_fields());
                self.admins += usize::from(user.is_admin);
                self.created.push((position, id));
                let hash = self
                    .by_username
                    .hash_with(|state| username_hash(state, &user.username));
                // The domain never creates a live id again, but if the log does, the newer
                // view replaces the older one everywhere, its admin flag included.
                if let Some(replaced) = self.by_id.insert(user) {
                    self.admins -= usize::from(replaced.is_admin);
                    self.deleted += 1; // its first entry in `created` is stale
                    self.search.retire();
                }
                let by_id = &self.by_id;
                self.by_username.insert(hash, id, |state, id| {
                    by_id
                        .get(id)
                        .map_or(0, |u| username_hash(state, &u.username))
                });
                return;
            }
            UserEvent::Deleted {} => {
                self.unindex_username(id);
                if let Some(user) = self.by_id.remove(id) {
                    self.admins -= usize::from(user.is_admin);
                    self.deleted += 1;
                    self.search.retire();
                    if self.deleted > self.created.len() / 2 {
                        let by_id = &self.by_id;
                        self.created.retain(|(position, id)| {
                            by_id
                                .get(*id)
                                .is_some_and(|u| u.created_position == *position)
                        });
                        self.deleted = 0;
                        // Slots moved: the search text is rebuilt with them.
                        self.rebuild_search();
                    } else if self.search.wants_rebuild() {
                        self.rebuild_search();
                    }
                }
                return;
            }
            other => match self.by_id.get_mut(id) {
                Some(user) => {
                    user.updated_at = at;
                    user.version += 1;
                    (user, other)
                }
                None => return,
            },
        };
        match user {
            (user, UserEvent::ProfileUpdated(e)) => {
                if let Some(name) = e.display_name {
                    user.display_name = name.into_string();
                }
                if let Some(email) = e.email {
                    user.email = email.map(|m| m.into_string());
                }
                let position = user.created_position;
                let slot = self.created.partition_point(|(p, _)| *p < position);
                let slot = u32::try_from(slot).unwrap_or(u32::MAX);
                user.search_entry = self.search.push(slot, user.search_fields());
                self.search.retire();
                if self.search.wants_rebuild() {
                    self.rebuild_search();
                }
            }
            (user, UserEvent::AdminGranted {}) if !user.is_admin => {
                user.is_admin = true;
                self.admins += 1;
            }
            (user, UserEvent::AdminRevoked {}) if user.is_admin => {
                user.is_admin = false;
                self.admins -= 1;
            }
            (user, UserEvent::PasswordReset(e)) => {
                user.password_hash = e.password_hash;
                user.must_change_password = e.require_change;
            }
            (user, UserEvent::PasswordChanged(e)) => {
                user.password_hash = e.password_hash;
                user.must_change_password = false;
            }
            (user, UserEvent::Disabled {}) => user.disabled = true,
            (user, UserEvent::Enabled {}) => user.disabled = false,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // test arrangement: a failure is a test failure

    use super::*;
    use chrono::TimeZone;
    use roster_domain::user::{CreatedVia, UserCreated};
    use roster_domain::values::{DisplayName, PasswordHash, Username};
    use uuid::Uuid;

    fn created(username: &str, is_admin: bool) -> UserCreated {
        UserCreated {
            username: Username::parse(username).unwrap(),
            display_name: DisplayName::parse(username).unwrap(),
            email: None,
            password_hash: PasswordHash::from_phc("$argon2id$x".into()),
            is_admin,
            via: CreatedVia::Admin,
            must_change_password: false,
        }
    }

    #[test]
    fn it_should_not_equal_a_model_whose_username_index_lost_an_entry() {
        let mut users = Users::default();
        let id = UserId(Uuid::from_u128(1));
        let at = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        users.apply(
            id,
            UserEvent::Created(created("Ann", false)),
            at,
            Position(1),
        );
        let mut unindexed = users.clone();
        assert_eq!(users, unindexed);
        unindexed.unindex_username(id);
        assert_eq!(unindexed.by_id, users.by_id);
        assert_ne!(users, unindexed);
    }

    #[test]
    fn it_should_count_an_admin_once_when_a_live_user_id_is_created_again() {
        let mut users = Users::default();
        let id = UserId(Uuid::from_u128(1));
        let at = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let mut created = created("ann", true);
        users.apply(id, UserEvent::Created(created.clone()), at, Position(1));
        users.apply(id, UserEvent::Created(created.clone()), at, Position(2));
        assert_eq!((users.count(), users.admin_count()), (1, 1));
        created.is_admin = false;
        users.apply(id, UserEvent::Created(created), at, Position(3));
        assert_eq!((users.count(), users.admin_count()), (1, 0));
        assert_eq!(
            users.all().count(),
            1,
            "listed once, at its newest creation"
        );
        assert_eq!(users.get(id).map(|u| u.created_position), Some(Position(3)));
    }

    #[test]
    fn it_should_keep_each_users_version_at_the_revision_of_its_stream() {
        use roster_domain::user::PasswordReset;
        let mut users = Users::default();
        let (ann, bob) = (UserId(Uuid::from_u128(1)), UserId(Uuid::from_u128(2)));
        let at = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let version = |users: &Users, id| users.get(id).map(|u| u.version);
        users.apply(
            ann,
            UserEvent::Created(created("ann", true)),
            at,
            Position(1),
        );
        users.apply(
            bob,
            UserEvent::Created(created("bob", false)),
            at,
            Position(2),
        );
        assert_eq!(version(&users, ann), Some(0), "UserCreated is revision 0");
        let reset = PasswordReset {
            password_hash: PasswordHash::from_phc("$argon2id$y".into()),
            revoke_sessions: false,
            require_change: true,
        };
        let events = [
            UserEvent::Disabled {},
            UserEvent::PasswordReset(reset),
            // Changes nothing the view shows, but is an event of the stream all the same.
            UserEvent::AdminGranted {},
            UserEvent::Enabled {},
        ];
        for (n, event) in events.into_iter().enumerate() {
            users.apply(ann, event, at, Position(3 + n as u64));
        }
        assert_eq!(version(&users, ann), Some(4));
        assert_eq!(
            version(&users, bob),
            Some(0),
            "another account's events do not count"
        );
        users.apply(
            ann,
            UserEvent::Created(created("ann", true)),
            at,
            Position(9),
        );
        assert_eq!(
            version(&users, ann),
            Some(5),
            "a stream created again goes on"
        );
    }

    #[test]
    fn it_should_search_the_same_before_and_after_its_text_is_rebuilt() {
        use roster_domain::user::ProfileUpdated;
        let mut users = Users::default();
        let at = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let mut position = 0;
        let mut next = || {
            position += 1;
            Position(position)
        };
        let id = |n: u128| UserId(Uuid::from_u128(n));
        for n in 0..300 {
            let created = created(&format!("user{n:03}"), n % 7 == 0);
            users.apply(id(n), UserEvent::Created(created), at, next());
        }
        for round in 0..3 {
            for n in 0..300 {
                let name = format!("Round{round} Person{n:03}");
                let update = ProfileUpdated {
                    display_name: Some(DisplayName::parse(&name).unwrap()),
                    email: None,
                };
                users.apply(id(n), UserEvent::ProfileUpdated(update), at, next());
            }
        }
        for n in (0..300).step_by(3) {
            users.apply(id(n), UserEvent::Deleted {}, at, next());
        }
        assert!(
            users.search.entries_len() < 300 * 4,
            "stale text was dropped"
        );
        for needle in ["round2 person01", "USER1", "person", "round0", "nobody"] {
            for is_admin in [None, Some(true)] {
                let filter = UserFilter {
                    search: Some(needle.to_owned()),
                    is_admin,
                };
                let found: Vec<_> = users
                    .page(&filter, usize::MAX, None)
                    .users
                    .iter()
                    .map(|u| u.id)
                    .collect();
                let scanned: Vec<_> = users
                    .all()
                    .filter(|u| is_admin.is_none_or(|a| u.is_admin == a) && u.matches(needle))
                    .map(|u| u.id)
                    .collect();
                assert_eq!(found, scanned, "{needle}");
            }
        }
    }
}
