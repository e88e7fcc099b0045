//! The GraphQL object and input types: the contract clients depend on, names included.

use crate::service::api_keys::{ApiKeyRecord, EffectiveKey, KeySource};
use crate::service::audit::UserAsOf;
use crate::service::owned::OwnedRecord;
use crate::service::records::{SessionRecord, SystemStats as SystemTotals, UserRecord};
use crate::service::totp::TotpEnrollment as TotpEnrollmentRecord;
use async_graphql::{Enum, ID, SimpleObject};
use chrono::{DateTime, Utc};
use roster_domain::ids::SessionId;

pub(super) fn count(n: impl TryInto<i32>) -> i32 {
    n.try_into().unwrap_or(i32::MAX)
}

/// A user account.
#[derive(SimpleObject, Clone)]
pub struct User {
    /// Id.
    pub id: ID,
    /// Username as typed (unique, case-insensitively).
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// Email, if given.
    pub email: Option<String>,
    /// Has the admin role.
    pub is_admin: bool,
    /// Cannot log in.
    pub disabled: bool,
    /// Must choose a new password at next login.
    pub must_change_password: bool,
    /// Two-factor authentication is on: logging in takes a one-time code after the password.
    pub totp_enabled: bool,
    /// When the account was created.
    pub created_at: DateTime<Utc>,
    /// When the account last changed.
    pub updated_at: DateTime<Utc>,
    /// The account's version: the revision of its event stream (0 when created, one more with
    /// every change). Send it back as `expectedVersion` to have a change refused when someone
    /// else changed the account since.
    pub version: i32,
    /// The guide's per-user counts.
    pub stats: UserStats,
}

/// The guide's per-user counts.
#[derive(SimpleObject, Clone, Copy)]
pub struct UserStats {
    /// Personas the user owns.
    pub personas: i32,
    /// Sessions that still work.
    pub active_sessions: i32,
    /// The user's own API keys.
    pub api_keys: i32,
}

impl From<&UserRecord> for User {
    fn from(record: &UserRecord) -> User {
        User::from(&UserAsOf::from(record))
    }
}

impl From<&UserAsOf> for User {
    fn from(user: &UserAsOf) -> User {
        User {
            id: ID(user.id.to_string()),
            username: user.username.clone(),
            display_name: user.display_name.clone(),
            email: user.email.clone(),
            is_admin: user.is_admin,
            disabled: user.disabled,
            must_change_password: user.must_change_password,
            totp_enabled: user.totp_enabled,
            created_at: user.created_at,
            updated_at: user.updated_at,
            version: count(user.version),
            stats: UserStats {
                personas: count(user.stats.personas),
                active_sessions: count(user.stats.active_sessions),
                api_keys: count(user.stats.api_keys),
            },
        }
    }
}

/// A login session. The token itself is never shown again after login.
#[derive(SimpleObject, Clone)]
pub struct Session {
    /// Id.
    pub id: ID,
    /// Whose session.
    pub user: User,
    /// When it started.
    pub created_at: DateTime<Utc>,
    /// When it ends at the latest.
    pub expires_at: DateTime<Utc>,
    /// Last recorded use.
    pub last_seen_at: DateTime<Utc>,
    /// The client's user agent.
    pub user_agent: Option<String>,
    /// The client's address.
    pub ip: Option<String>,
    /// A short non-secret tail (of the token's SHA-256) to tell sessions apart.
    pub token_hint: String,
    /// Whether this is the session of the request.
    pub current: bool,
}

impl Session {
    /// A session as seen from the request's session `current`.
    pub fn from_record(record: &SessionRecord, current: Option<SessionId>) -> Session {
        let s = &record.session;
        Session {
            id: ID(s.id.to_string()),
            user: User::from(&record.owner),
            created_at: s.created_at,
            expires_at: s.expires_at,
            last_seen_at: s.last_seen_at,
            user_agent: s.user_agent.as_deref().map(str::to_owned),
            ip: s.ip.clone(),
            token_hint: record.token_hint(),
            current: current == Some(s.id),
        }
    }
}

/// A stored model-service API key: only its last four characters are ever shown.
#[derive(SimpleObject, Clone)]
pub struct ApiKey {
    /// Id.
    pub id: ID,
    /// The model service, e.g. `openai`.
    pub provider: String,
    /// The owner's label.
    pub name: String,
    /// The key's last four characters.
    pub last4: String,
    /// When it was added.
    pub created_at: DateTime<Utc>,
    /// When it was last replaced.
    pub updated_at: DateTime<Utc>,
    /// When the model service last used it (since the server started).
    pub last_used_at: Option<DateTime<Utc>>,
    /// How often the model service used it (since the server started).
    pub usage_count: i32,
}

impl From<&ApiKeyRecord> for ApiKey {
    fn from(record: &ApiKeyRecord) -> ApiKey {
        ApiKey {
            id: ID(record.id.to_string()),
            provider: record.view.provider.as_str().to_owned(),
            name: record.view.name.clone(),
            last4: record.view.last4.clone(),
            created_at: record.view.created_at,
            updated_at: record.view.updated_at,
            last_used_at: record.last_used,
            usage_count: count(record.usage_count),
        }
    }
}

/// Where the key that applies comes from.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum ApiKeySource {
    /// The user's own key.
    User,
    /// The system key an administrator configured.
    System,
    /// The server's environment (`<PROVIDER>_API_KEY`).
    Environment,
}

/// Which source applies to the caller for one provider (never the key itself).
#[derive(SimpleObject, Clone)]
pub struct EffectiveApiKey {
    /// The provider.
    pub provider: String,
    /// Where its key comes from.
    pub source: ApiKeySource,
    /// The stored key's last four characters (none for environment keys).
    pub last4: Option<String>,
}

impl From<&EffectiveKey> for EffectiveApiKey {
    fn from(key: &EffectiveKey) -> EffectiveApiKey {
        EffectiveApiKey {
            provider: key.provider.clone(),
            source: match key.source {
                KeySource::User => ApiKeySource::User,
                KeySource::System => ApiKeySource::System,
                KeySource::Environment => ApiKeySource::Environment,
            },
            last4: key.last4.clone(),
        }
    }
}

/// The answer to a login: a new session, or, for an account with two-factor authentication
/// on, a challenge that `loginTotp` completes with a code. Without two-factor authentication
/// `token`, `expiresAt` and `user` are always set (and `totpRequired` is false); with it they
/// are null and `totpRequired` is true, with `challenge` set.
#[derive(SimpleObject, Clone)]
pub struct LoginPayload {
    /// The bearer token, shown this once; null when a browser asked (its session is in the
    /// HttpOnly cookie, out of reach of the page's scripts), and while a second factor is
    /// required.
    pub token: Option<String>,
    /// When the session ends at the latest. Null while a second factor is required.
    pub expires_at: Option<DateTime<Utc>>,
    /// Who logged in. Null while a second factor is required.
    pub user: Option<User>,
    /// The password was right, but a second factor is required: call `loginTotp` with
    /// `challenge` and a code (or a recovery code).
    pub totp_required: bool,
    /// The login challenge (valid for five minutes, once), when `totpRequired`; shown this
    /// once.
    pub challenge: Option<String>,
}

/// A new TOTP secret, shown this once; it is pending until `confirmTotp` confirms it.
#[derive(SimpleObject, Clone)]
pub struct TotpEnrollment {
    /// The secret in base32, to type into an authenticator app.
    pub secret: String,
    /// The `otpauth://totp/...` URI an authenticator app reads.
    pub otpauth_uri: String,
    /// The URI as a QR code, an SVG document.
    pub qr_svg: String,
}

impl From<TotpEnrollmentRecord> for TotpEnrollment {
    fn from(enrollment: TotpEnrollmentRecord) -> TotpEnrollment {
        TotpEnrollment {
            secret: enrollment.secret,
            otpauth_uri: enrollment.otpauth_uri,
            qr_svg: enrollment.qr_svg,
        }
    }
}

/// Relay page information.
#[derive(SimpleObject, Clone)]
pub struct PageInfo {
    /// Whether more items follow.
    pub has_next_page: bool,
    /// The cursor of the last item of this page.
    pub end_cursor: Option<String>,
}

/// One user in a list.
#[derive(SimpleObject, Clone)]
pub struct UserEdge {
    /// Where it is in the list.
    pub cursor: String,
    /// The user.
    pub node: User,
}

/// Users, newest first.
#[derive(SimpleObject, Clone)]
pub struct UserConnection {
    /// This page.
    pub edges: Vec<UserEdge>,
    /// Paging.
    pub page_info: PageInfo,
    /// How many users match in all.
    pub total_count: i32,
}

/// One session in a list.
#[derive(SimpleObject, Clone)]
pub struct SessionEdge {
    /// Where it is in the list.
    pub cursor: String,
    /// The session.
    pub node: Session,
}

/// Active sessions, newest first.
#[derive(SimpleObject, Clone)]
pub struct SessionConnection {
    /// This page.
    pub edges: Vec<SessionEdge>,
    /// Paging.
    pub page_info: PageInfo,
    /// How many sessions match in all.
    pub total_count: i32,
}

/// Deployment totals.
#[derive(SimpleObject, Clone)]
pub struct SystemStats {
    /// Live users.
    pub users: i32,
    /// Live administrators.
    pub admins: i32,
    /// Sessions that still work.
    pub active_sessions: i32,
    /// Personas.
    pub personas: i32,
    /// Users' own API keys.
    pub api_keys: i32,
    /// System API keys.
    pub system_api_keys: i32,
}

impl From<SystemTotals> for SystemStats {
    fn from(totals: SystemTotals) -> SystemStats {
        SystemStats {
            users: count(totals.users),
            admins: count(totals.admins),
            active_sessions: count(totals.active_sessions),
            personas: count(totals.personas),
            api_keys: count(totals.api_keys),
            system_api_keys: count(totals.system_api_keys),
        }
    }
}

macro_rules! owned_object {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(SimpleObject, Clone)]
        pub struct $name {
            /// Id.
            pub id: ID,
            /// Its name.
            pub name: String,
            /// Its owner's id.
            pub owner_id: ID,
            /// When it was created.
            pub created_at: DateTime<Utc>,
        }

        impl From<&OwnedRecord> for $name {
            fn from(record: &OwnedRecord) -> $name {
                $name {
                    id: ID(record.id.to_string()),
                    name: record.name.clone(),
                    owner_id: ID(record.owner.to_string()),
                    created_at: record.created_at,
                }
            }
        }
    };
}

owned_object!(
    /// A persona a user owns.
    Persona
);
owned_object!(
    /// An ontology a user owns.
    Ontology
);
owned_object!(
    /// An annotation a user owns.
    Annotation
);
