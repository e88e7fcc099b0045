//! The `users` read model: every live user, newest first, with search, an admin filter and
//! cursor pagination.
//!
//! Order is the global position of each user's `UserCreated`: unique and fixed, so ties cannot
//! happen and a cursor ("users created before position P") stays valid while users are added
//! (they sort before every page already served) or deleted (they simply drop out).

use chrono::{DateTime, Utc};
use foldhash::HashMap;
use roster_domain::ids::UserId;
use roster_domain::store::Position;
use roster_domain::user::UserEvent;
use std::collections::BTreeMap;

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
    /// Current argon2id hash (for login verification; never shown).
    pub password_hash: String,
    /// Lowercased "username\ndisplay name\nemail", so search does not lowercase per query.
    search_text: String,
}

impl UserView {
    fn refresh_search_text(&mut self) {
        let parts = [
            self.username.as_str(),
            self.display_name.as_str(),
            self.email.as_deref().unwrap_or(""),
        ];
        let mut text = String::with_capacity(parts.iter().map(|p| p.len() + 1).sum());
        for part in parts {
            text.extend(part.chars().flat_map(char::to_lowercase));
            text.push('\n');
        }
        self.search_text = text;
    }

    /// Whether `needle` (already lowercased) occurs in the username, display name or email.
    pub fn matches(&self, needle: &str) -> bool {
        self.search_text.contains(needle)
    }
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
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Users {
    by_id: HashMap<UserId, UserView>,
    newest_first: BTreeMap<Position, UserId>,
    by_username: HashMap<String, UserId>,
    admins: usize,
}

impl Users {
    /// A live user by id.
    pub fn get(&self, id: UserId) -> Option<&UserView> {
        self.by_id.get(&id)
    }

    /// A live user by username, in any letter case.
    pub fn by_username(&self, username: &str) -> Option<&UserView> {
        self.by_username
            .get(&username.trim().to_ascii_lowercase())
            .and_then(|id| self.by_id.get(id))
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
            .map(|s| s.trim().to_lowercase())
            .filter(|s| !s.is_empty());
        // Built once per query: the scan then costs a SIMD search per user, not a setup.
        let finder = needle.as_deref().map(memchr::memmem::Finder::new);
        let wanted = |user: &UserView| {
            filter.is_admin.is_none_or(|admin| user.is_admin == admin)
                && finder
                    .as_ref()
                    .is_none_or(|f| f.find(user.search_text.as_bytes()).is_some())
        };
        let upper = after.unwrap_or(Position(u64::MAX));
        let page_of = |users: &mut dyn Iterator<Item = &UserView>| {
            users
                .take(first.saturating_add(1))
                .cloned()
                .collect::<Vec<_>>()
        };
        let (mut users, total_count) = if finder.is_none() && filter.is_admin.is_none() {
            let mut newest = self
                .newest_first
                .range(..upper)
                .rev()
                .filter_map(|(_, id)| self.by_id.get(id));
            (page_of(&mut newest), self.by_id.len())
        } else {
            // One pass: the page is taken from the matches after the cursor, and every match
            // is counted for `totalCount`.
            let mut total = 0;
            let mut matches = self
                .newest_first
                .values()
                .rev()
                .filter_map(|id| self.by_id.get(id))
                .filter(|user| wanted(user))
                .inspect(|_| total += 1)
                .filter(|user| user.created_position < upper);
            let page = page_of(&mut matches);
            matches.for_each(drop);
            (page, total)
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
        self.newest_first
            .values()
            .rev()
            .filter_map(|id| self.by_id.get(id))
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
                self.by_username.insert(e.username.key(), id);
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
                    password_hash: e.password_hash.into_phc(),
                    search_text: String::new(),
                };
                user.refresh_search_text();
                self.admins += usize::from(user.is_admin);
                self.newest_first.insert(position, id);
                self.by_id.insert(id, user);
                return;
            }
            UserEvent::Deleted {} => {
                if let Some(user) = self.by_id.remove(&id) {
                    self.admins -= usize::from(user.is_admin);
                    self.by_username.remove(&user.username.to_ascii_lowercase());
                    self.newest_first.remove(&user.created_position);
                }
                return;
            }
            other => match self.by_id.get_mut(&id) {
                Some(user) => {
                    user.updated_at = at;
                    (user, other)
                }
                None => return,
            },
        };
        match user {
            (user, UserEvent::ProfileUpdated(e)) => {
                user.display_name = e.display_name.into_string();
                user.email = e.email.map(|m| m.into_string());
                user.refresh_search_text();
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
                user.password_hash = e.password_hash.into_phc();
                user.must_change_password = e.require_change;
            }
            (user, UserEvent::PasswordChanged(e)) => {
                user.password_hash = e.password_hash.into_phc();
                user.must_change_password = false;
            }
            (user, UserEvent::Disabled {}) => user.disabled = true,
            (user, UserEvent::Enabled {}) => user.disabled = false,
            _ => {}
        }
    }
}
