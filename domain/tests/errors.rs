//! How every refusal is reported at the API edge (`DomainError::kind`), and the messages the
//! administrator guide quotes word for word.

use roster_domain::challenge::ChallengeError;
use roster_domain::error::{DomainError, ErrorKind};
use roster_domain::idempotency::{IdempotencyError, IdempotentAnswer};
use roster_domain::keyring::KeyringError;
use roster_domain::resource::ResourceError;
use roster_domain::session::SessionError;
use roster_domain::totp::TotpError;
use roster_domain::user::{CurrentAccount, UserError};
use roster_domain::values::DisplayName;

use ErrorKind::{Conflict, Forbidden, NotFound, Unauthenticated, Validation};

/// A stale edit's refusal, with the account as it is now.
#[allow(clippy::expect_used, reason = "parses a literal known to be valid")]
fn stale() -> UserError {
    UserError::Stale {
        current: Box::new(CurrentAccount {
            version: 1,
            display_name: DisplayName::parse("Alice").expect("valid display name"),
            email: None,
            is_admin: false,
            disabled: false,
        }),
    }
}

/// Every variant of every aggregate's error, with the kind it must map to.
fn table() -> Vec<(DomainError, ErrorKind)> {
    vec![
        (UserError::AdminRequired.into(), Forbidden),
        (UserError::NotYourAccount.into(), Forbidden),
        (UserError::AccountDisabled.into(), Forbidden),
        (UserError::NotFound.into(), NotFound),
        (UserError::Deleted.into(), NotFound),
        (UserError::AlreadyExists.into(), Conflict),
        (UserError::UsernameTaken.into(), Conflict),
        (UserError::EmailTaken.into(), Conflict),
        (UserError::CannotDeleteSelf.into(), Forbidden),
        (UserError::LastActiveAdmin.into(), Conflict),
        (UserError::RegistrationCannotGrantAdmin.into(), Forbidden),
        (UserError::AlreadyBootstrapped.into(), Conflict),
        (UserError::WrongCurrentPassword.into(), Validation),
        (stale().into(), Conflict),
        (SessionError::InvalidCredentials.into(), Unauthenticated),
        (SessionError::AccountDisabled.into(), Forbidden),
        (SessionError::AlreadyExists.into(), Conflict),
        (SessionError::NotFound.into(), NotFound),
        (SessionError::AlreadyEnded.into(), NotFound),
        (SessionError::NotYourSession.into(), Forbidden),
        (SessionError::OwnerDeleted.into(), NotFound),
        (SessionError::SecondFactorRequired.into(), Unauthenticated),
        (KeyringError::AdminRequired.into(), Forbidden),
        (KeyringError::NotYours.into(), Forbidden),
        (KeyringError::OwnerNotFound.into(), NotFound),
        (KeyringError::ProviderTaken.into(), Conflict),
        (KeyringError::AlreadyExists.into(), Conflict),
        (KeyringError::NotFound.into(), NotFound),
        (KeyringError::InvalidProvider.into(), Validation),
        (KeyringError::TailTooLong.into(), Validation),
        (ResourceError::NotYours.into(), Forbidden),
        (ResourceError::AdminRequired.into(), Forbidden),
        (ResourceError::AlreadyExists.into(), Conflict),
        (ResourceError::NotFound.into(), NotFound),
        (ResourceError::OwnerNotFound.into(), NotFound),
        (TotpError::NotYourAccount.into(), Forbidden),
        (TotpError::AdminRequired.into(), Forbidden),
        (TotpError::UserNotFound.into(), NotFound),
        (TotpError::AlreadyOn.into(), Conflict),
        (TotpError::NotOn.into(), Conflict),
        (TotpError::NothingToConfirm.into(), Conflict),
        (TotpError::InvalidCode.into(), Validation),
        (TotpError::CodeReused.into(), Validation),
        (TotpError::RecoveryCodes.into(), Validation),
        (
            ChallengeError::Session(SessionError::InvalidCredentials).into(),
            Unauthenticated,
        ),
        (ChallengeError::SecondFactorNotOn.into(), Conflict),
        (ChallengeError::AlreadyExists.into(), Conflict),
        (ChallengeError::Invalid.into(), Unauthenticated),
        (ChallengeError::Expired.into(), Unauthenticated),
        (ChallengeError::AlreadyUsed.into(), Unauthenticated),
        (ChallengeError::InvalidCode.into(), Unauthenticated),
        (ChallengeError::CodeReused.into(), Unauthenticated),
        (IdempotencyError::InProgress.into(), Conflict),
        (IdempotencyError::KeyReused.into(), Validation),
        (IdempotencyError::NotInProgress.into(), Conflict),
        (
            IdempotencyError::Answered(Box::new(IdempotentAnswer {
                status: 201,
                content_type: None,
                etag: None,
                body: String::new(),
                at: chrono::DateTime::UNIX_EPOCH,
            }))
            .into(),
            Conflict,
        ),
    ]
}

/// Fails to compile when a variant is added anywhere, pointing here: add the new variant to
/// [`table`] with its kind, then add it to the match below.
fn listed_in_table(error: &DomainError) {
    match error {
        DomainError::User(
            UserError::AdminRequired
            | UserError::NotYourAccount
            | UserError::AccountDisabled
            | UserError::NotFound
            | UserError::Deleted
            | UserError::AlreadyExists
            | UserError::UsernameTaken
            | UserError::EmailTaken
            | UserError::CannotDeleteSelf
            | UserError::LastActiveAdmin
            | UserError::RegistrationCannotGrantAdmin
            | UserError::AlreadyBootstrapped
            | UserError::WrongCurrentPassword
            | UserError::Stale { .. },
        )
        | DomainError::Session(
            SessionError::InvalidCredentials
            | SessionError::AccountDisabled
            | SessionError::AlreadyExists
            | SessionError::NotFound
            | SessionError::AlreadyEnded
            | SessionError::NotYourSession
            | SessionError::OwnerDeleted
            | SessionError::SecondFactorRequired,
        )
        | DomainError::Keyring(
            KeyringError::AdminRequired
            | KeyringError::NotYours
            | KeyringError::OwnerNotFound
            | KeyringError::ProviderTaken
            | KeyringError::AlreadyExists
            | KeyringError::NotFound
            | KeyringError::InvalidProvider
            | KeyringError::TailTooLong,
        )
        | DomainError::Resource(
            ResourceError::NotYours
            | ResourceError::AdminRequired
            | ResourceError::AlreadyExists
            | ResourceError::NotFound
            | ResourceError::OwnerNotFound,
        )
        | DomainError::Totp(
            TotpError::NotYourAccount
            | TotpError::AdminRequired
            | TotpError::UserNotFound
            | TotpError::AlreadyOn
            | TotpError::NotOn
            | TotpError::NothingToConfirm
            | TotpError::InvalidCode
            | TotpError::CodeReused
            | TotpError::RecoveryCodes,
        )
        | DomainError::Challenge(
            ChallengeError::Session(_)
            | ChallengeError::SecondFactorNotOn
            | ChallengeError::AlreadyExists
            | ChallengeError::Invalid
            | ChallengeError::Expired
            | ChallengeError::AlreadyUsed
            | ChallengeError::InvalidCode
            | ChallengeError::CodeReused,
        )
        | DomainError::Idempotency(
            IdempotencyError::Answered(_)
            | IdempotencyError::InProgress
            | IdempotencyError::KeyReused
            | IdempotencyError::NotInProgress,
        ) => {}
    }
}

#[test]
fn it_should_map_every_refusal_to_its_kind() {
    for (error, kind) in table() {
        listed_in_table(&error);
        assert_eq!(error.kind(), kind, "{error:?}");
    }
}

#[test]
fn it_should_list_each_refusal_once() {
    let table = table();
    for (i, (error, _)) in table.iter().enumerate() {
        assert!(
            table[i + 1..].iter().all(|(other, _)| other != error),
            "{error:?} is listed twice"
        );
    }
}

#[test]
fn it_should_use_the_guides_messages_word_for_word() {
    assert_eq!(
        UserError::UsernameTaken.to_string(),
        "Username already exists"
    );
    assert_eq!(
        UserError::AdminRequired.to_string(),
        "Admin access required"
    );
    // Every "admin required" refusal reads the same, whichever aggregate refused.
    assert_eq!(
        KeyringError::AdminRequired.to_string(),
        "Admin access required"
    );
    assert_eq!(
        ResourceError::AdminRequired.to_string(),
        "Admin access required"
    );
    assert_eq!(
        DomainError::from(UserError::UsernameTaken).to_string(),
        "Username already exists"
    );
}

#[test]
fn it_should_not_reveal_which_part_of_a_login_was_wrong() {
    assert_eq!(
        SessionError::InvalidCredentials.to_string(),
        "Invalid username or password"
    );
}
