//! The GraphQL input types (the contract's names), and how each becomes a use case's input.

use crate::service::users::{NewUser, UserChanges};
use async_graphql::InputObject;

/// A new account (administrators).
#[derive(InputObject)]
pub struct CreateUserInput {
    /// 3–50 letters, digits, `.`, `_`, `-`; unique.
    pub username: String,
    /// Defaults to the username.
    pub display_name: Option<String>,
    /// Optional; unique when given.
    pub email: Option<String>,
    /// At least 6 characters.
    pub password: String,
    /// Grant the admin role.
    #[graphql(default)]
    pub is_admin: bool,
    /// The user must choose a new password at their first login before anything else.
    #[graphql(default)]
    pub must_change_password: bool,
}

/// Changes to an account; a null field keeps its value, a null or empty password keeps the
/// current one, an empty email removes it.
#[derive(InputObject, Default)]
pub struct UpdateUserInput {
    /// New display name.
    pub display_name: Option<String>,
    /// New email ("" removes it).
    pub email: Option<String>,
    /// Grant or revoke the admin role.
    pub is_admin: Option<bool>,
    /// New password (the user's sessions stay valid).
    pub password: Option<String>,
}

/// Someone registering themself (only with `ALLOW_REGISTRATION=true`).
#[derive(InputObject)]
pub struct RegisterInput {
    /// 3–50 letters, digits, `.`, `_`, `-`; unique.
    pub username: String,
    /// Defaults to the username.
    pub display_name: Option<String>,
    /// Optional; unique when given.
    pub email: Option<String>,
    /// At least 6 characters.
    pub password: String,
}

/// A model-service API key to store.
#[derive(InputObject)]
pub struct ApiKeyInput {
    /// The model service, e.g. `openai` (one key per provider).
    pub provider: String,
    /// A label (defaults to the provider).
    pub name: Option<String>,
    /// The key; stored sealed, shown only by its last four characters.
    pub key: String,
}

impl From<CreateUserInput> for NewUser {
    fn from(input: CreateUserInput) -> NewUser {
        NewUser {
            username: input.username,
            display_name: input.display_name,
            email: input.email,
            password: input.password,
            is_admin: input.is_admin,
            must_change_password: input.must_change_password,
        }
    }
}

impl From<RegisterInput> for NewUser {
    fn from(input: RegisterInput) -> NewUser {
        NewUser {
            username: input.username,
            display_name: input.display_name,
            email: input.email,
            password: input.password,
            is_admin: false,
            must_change_password: false,
        }
    }
}

impl From<UpdateUserInput> for UserChanges {
    fn from(input: UpdateUserInput) -> UserChanges {
        UserChanges {
            display_name: input.display_name,
            email: input.email,
            is_admin: input.is_admin,
            password: input.password,
        }
    }
}
