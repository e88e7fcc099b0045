//! How events cross into storage: stable type names, a round trip for every kind of event,
//! the stored shape of the events an auditor reads most, refusals for what cannot be read,
//! and no secret in what is written.
//!
//! One file on purpose: it is the catalogue of stored shapes an auditor relies on.

mod common;

use common::*;
use roster_domain::admins::AdminsEvent;
use roster_domain::challenge::{ChallengeEvent, ChallengeIssued};
use roster_domain::event::{DecodeError, Event, all_event_types};
use roster_domain::idempotency::{IdempotencyEvent, IdempotentAnswer, RequestStarted};
use roster_domain::ids::{AnnotationId, OntologyId};
use roster_domain::keyring::{ApiKeyReplaced, KeyringEvent};
use roster_domain::persona::PersonaEvent;
use roster_domain::reservation::{EmailEvent, UsernameEvent};
use roster_domain::resource::{AnnotationEvent, OntologyEvent};
use roster_domain::session::{EndReason, SessionEvent};
use roster_domain::stream::KeyringOwner;
use roster_domain::totp::RECOVERY_CODES;
use roster_domain::totp::TotpEvent;
use roster_domain::user::{PasswordChanged, PasswordReset, ProfileUpdated, UserEvent};
use roster_domain::values::{Password, PasswordHash};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::marker::PhantomData;
use uuid::Uuid;

/// The stored type names, written out by hand. Renaming one would make every stored event of
/// that type unreadable; if this test fails, add an upcaster instead of changing the list.
const GOLDEN_TYPES: &[&str] = &[
    "UserCreated",
    "ProfileUpdated",
    "AdminGranted",
    "AdminRevoked",
    "PasswordReset",
    "PasswordChanged",
    "UserDisabled",
    "UserEnabled",
    "UserDeleted",
    "UsernameReserved",
    "UsernameReleased",
    "EmailReserved",
    "EmailReleased",
    "ActiveAdminAdded",
    "ActiveAdminRemoved",
    "SessionStarted",
    "SessionActivityRecorded",
    "SessionEnded",
    "PersonaCreated",
    "PersonaRenamed",
    "PersonaTransferred",
    "PersonaDeleted",
    "ApiKeyAdded",
    "ApiKeyReplaced",
    "ApiKeyRemoved",
    "OntologyCreated",
    "OntologyDeleted",
    "AnnotationCreated",
    "AnnotationDeleted",
    "TotpEnrollmentStarted",
    "TotpEnabled",
    "TotpCodeUsed",
    "TotpRecoveryCodeUsed",
    "TotpDisabled",
    "TotpRemoved",
    "LoginChallengeIssued",
    "LoginChallengeCompleted",
    "IdempotentRequestStarted",
    "IdempotentRequestCompleted",
    "IdempotentRequestAbandoned",
];

const ONTOLOGY: OntologyId = OntologyId(Uuid::from_u128(0x600));
const ANNOTATION: AnnotationId = AnnotationId(Uuid::from_u128(0x601));

/// One event of every kind, with every optional field both present and absent somewhere.
fn one_of_each() -> Vec<Event> {
    let mut events = created(
        ALICE,
        user_created("alice", Some("alice@example.com"), true),
    );
    events.extend([
        Event::User(
            ALICE,
            UserEvent::ProfileUpdated(ProfileUpdated {
                display_name: Some(display_name("Zoë Müller")),
                email: None,
            }),
        ),
        Event::User(
            ALICE,
            UserEvent::ProfileUpdated(ProfileUpdated {
                display_name: None,
                email: Some(None),
            }),
        ),
        Event::User(ALICE, UserEvent::AdminGranted {}),
        Event::User(ALICE, UserEvent::AdminRevoked {}),
        Event::User(
            ALICE,
            UserEvent::PasswordReset(PasswordReset {
                password_hash: second_hash(),
                revoke_sessions: true,
                require_change: true,
            }),
        ),
        Event::User(
            ALICE,
            UserEvent::PasswordChanged(PasswordChanged {
                password_hash: third_hash(),
                kept_session: Some(SESSION),
            }),
        ),
        Event::User(
            ALICE,
            UserEvent::PasswordChanged(PasswordChanged {
                password_hash: third_hash(),
                kept_session: None,
            }),
        ),
        Event::User(ALICE, UserEvent::Disabled {}),
        Event::User(ALICE, UserEvent::Enabled {}),
        Event::User(ALICE, UserEvent::Deleted {}),
        Event::Username(
            "john-doe".into(),
            UsernameEvent::Released { user_id: ALICE },
        ),
        Event::Email(
            email("first-last@example.com").key(),
            EmailEvent::Released { user_id: ALICE },
        ),
        Event::Admins(AdminsEvent::Removed { user_id: ALICE }),
        session_started(SESSION, ALICE),
        Event::Session(SESSION, SessionEvent::ActivityRecorded { at: noon() }),
        persona_created(PERSONA, ALICE, "Research bot"),
        Event::Persona(
            PERSONA,
            PersonaEvent::Renamed {
                name: resource_name("Archivist"),
            },
        ),
        Event::Persona(
            PERSONA,
            PersonaEvent::Transferred {
                from: ALICE,
                to: BOB,
            },
        ),
        Event::Persona(PERSONA, PersonaEvent::Deleted {}),
        api_key_added(KeyringOwner::User(ALICE), KEY, "openai"),
        api_key_added(KeyringOwner::System, OTHER_KEY, "anthropic"),
        Event::Keyring(
            KeyringOwner::User(ALICE),
            KeyringEvent::Replaced(ApiKeyReplaced {
                key_id: KEY,
                name: resource_name("rotated"),
                sealed: sealed(2),
                last4: "9876".into(),
            }),
        ),
        Event::Keyring(
            KeyringOwner::System,
            KeyringEvent::Removed { key_id: OTHER_KEY },
        ),
        Event::Ontology(
            ONTOLOGY,
            OntologyEvent::Created {
                owner: ALICE,
                name: resource_name("Birds"),
            },
        ),
        Event::Ontology(ONTOLOGY, OntologyEvent::Deleted {}),
        Event::Annotation(
            ANNOTATION,
            AnnotationEvent::Created {
                owner: ALICE,
                name: resource_name("Wing shape"),
            },
        ),
        Event::Annotation(ANNOTATION, AnnotationEvent::Deleted {}),
        totp_enrollment_started(ALICE, 1),
        totp_enabled(ALICE, STEP),
        Event::Totp(ALICE, TotpEvent::CodeUsed { step: STEP + 1 }),
        Event::Totp(
            ALICE,
            TotpEvent::RecoveryCodeUsed {
                code_hash: recovery_code_hash(0),
            },
        ),
        Event::Totp(ALICE, TotpEvent::Disabled {}),
        Event::Totp(ALICE, TotpEvent::Removed {}),
        Event::Challenge(
            challenge_hash(),
            ChallengeEvent::Issued(ChallengeIssued {
                user_id: ALICE,
                expires_at: noon(),
                password_fingerprint: "fe".repeat(32),
                remember_me: true,
            }),
        ),
        Event::Challenge(
            challenge_hash(),
            ChallengeEvent::Completed {
                user_id: ALICE,
                session_id: SESSION,
            },
        ),
        Event::Idempotency(
            idempotency_key(),
            IdempotencyEvent::Started(RequestStarted {
                fingerprint: "ef".repeat(32),
                at: noon(),
            }),
        ),
        Event::Idempotency(
            idempotency_key(),
            IdempotencyEvent::Completed(IdempotentAnswer {
                status: 201,
                content_type: Some("application/json".into()),
                etag: None,
                body: "{}".into(),
                at: noon(),
            }),
        ),
        Event::Idempotency(
            idempotency_key(),
            IdempotencyEvent::Completed(IdempotentAnswer {
                status: 200,
                content_type: None,
                etag: Some("\"3\"".into()),
                body: String::new(),
                at: noon(),
            }),
        ),
        Event::Idempotency(
            idempotency_key(),
            IdempotencyEvent::Abandoned { at: noon() },
        ),
    ]);
    for reason in [
        EndReason::Logout,
        EndReason::Revoked,
        EndReason::UserDeleted,
        EndReason::UserDisabled,
        EndReason::PasswordChanged,
        EndReason::PasswordReset,
    ] {
        events.push(Event::Session(SESSION, SessionEvent::Ended { reason }));
    }
    events
}

/// Encodes `event` and returns its stored data as JSON.
#[allow(
    clippy::expect_used,
    reason = "a test helper: failing to encode is exactly what the calling test should report"
)]
fn stored_data(event: &Event) -> Value {
    let data = event.encode().expect("every event encodes");
    serde_json::from_str(&data.data).expect("stored data is JSON")
}

mod type_names {
    use super::*;

    #[test]
    fn it_should_keep_every_stored_type_name_as_pinned() {
        assert_eq!(all_event_types(), GOLDEN_TYPES);
    }

    #[test]
    fn it_should_never_use_one_type_name_for_two_kinds_of_event() {
        let unique: BTreeSet<_> = all_event_types().into_iter().collect();
        assert_eq!(unique.len(), all_event_types().len());
    }

    #[test]
    fn it_should_name_each_event_with_a_type_listed_for_its_family() {
        let written: BTreeSet<&str> = one_of_each().iter().map(Event::event_type).collect();
        let listed: BTreeSet<&str> = all_event_types().into_iter().collect();
        // Equal sets: every sample's name is listed, and the samples cover every listed name.
        assert_eq!(written, listed);
    }

    #[test]
    fn it_should_write_every_event_at_version_one_but_profile_updated_at_two() {
        for event in one_of_each() {
            let data = event.encode().expect("every event encodes");
            assert_eq!(data.event_type, event.event_type());
            let expected = if data.event_type == "ProfileUpdated" {
                2
            } else {
                1
            };
            assert_eq!(data.schema_version, expected, "{}", data.event_type);
        }
    }
}

mod round_trip {
    use super::*;

    #[test]
    fn it_should_read_back_every_kind_of_event_it_writes() {
        for event in one_of_each() {
            let data = event.encode().expect("every event encodes");
            let stream = event.stream().to_string();
            let decoded = Event::decode(&stream, data.event_type, &data.data);
            assert_eq!(decoded, Ok(event), "{stream} {}", data.event_type);
        }
    }

    #[test]
    fn it_should_refuse_an_unknown_type_on_a_known_stream() {
        let stream = format!("user-{}", ALICE);
        assert!(matches!(
            Event::decode(&stream, "UserTeleported", "{}"),
            Err(DecodeError::Unreadable { stream: s, event_type, .. })
                if s == stream && event_type == "UserTeleported"
        ));
    }

    #[test]
    fn it_should_refuse_an_event_of_another_aggregate_on_a_stream() {
        let started = session_started(SESSION, ALICE).encode().expect("encodes");
        let stream = format!("user-{}", ALICE);
        assert!(matches!(
            Event::decode(&stream, started.event_type, &started.data),
            Err(DecodeError::Unreadable { .. })
        ));
    }

    #[test]
    fn it_should_refuse_data_that_does_not_fit_the_type() {
        let stream = format!("user-{}", ALICE);
        assert!(matches!(
            Event::decode(&stream, "UserCreated", r#"{"username":"alice"}"#),
            Err(DecodeError::Unreadable { .. })
        ));
    }

    #[test]
    fn it_should_refuse_an_unknown_stream_kind() {
        assert_eq!(
            Event::decode("widget-1", "UserCreated", "{}"),
            Err(DecodeError::UnknownStream("widget-1".into()))
        );
    }

    #[test]
    fn it_should_refuse_a_known_stream_kind_with_a_malformed_id() {
        for stream in ["user-not-a-uuid", "admins-passive", "session", "persona-"] {
            assert_eq!(
                Event::decode(stream, "SessionStarted", "{}"),
                Err(DecodeError::UnknownStream(stream.into())),
                "{stream}"
            );
        }
    }
}

mod stored_shape {
    //! The JSON an auditor (or another program) reads. Changing a field name changes history:
    //! these pin the shape of the events read most.
    use super::*;

    #[test]
    fn it_should_store_user_created_with_these_fields() {
        let event = &created(
            ALICE,
            user_created("alice", Some("alice@example.com"), true),
        )[0];
        assert_eq!(
            stored_data(event),
            json!({
                "username": "alice",
                "display_name": "Alice",
                "email": "alice@example.com",
                "password_hash": first_hash().as_phc(),
                "is_admin": true,
                "via": "admin",
                "must_change_password": false,
            })
        );
    }

    #[test]
    fn it_should_store_a_password_reset_with_its_flags() {
        let event = Event::User(
            ALICE,
            UserEvent::PasswordReset(PasswordReset {
                password_hash: second_hash(),
                revoke_sessions: true,
                require_change: false,
            }),
        );
        assert_eq!(
            stored_data(&event),
            json!({
                "password_hash": second_hash().as_phc(),
                "revoke_sessions": true,
                "require_change": false,
            })
        );
    }

    #[test]
    fn it_should_store_a_profile_update_with_only_the_fields_it_changed() {
        let renamed = Event::User(
            ALICE,
            UserEvent::ProfileUpdated(ProfileUpdated {
                display_name: Some(display_name("Zoë")),
                email: None,
            }),
        );
        assert_eq!(stored_data(&renamed), json!({ "display_name": "Zoë" }));
        let email_removed = Event::User(
            ALICE,
            UserEvent::ProfileUpdated(ProfileUpdated {
                display_name: None,
                email: Some(None),
            }),
        );
        assert_eq!(stored_data(&email_removed), json!({ "email": null }));
    }

    #[test]
    fn it_should_read_a_version_1_profile_update_as_both_fields_set() {
        use roster_domain::store::{Actor, Metadata, Position, Recorded};
        let stored = |data: &str| Recorded {
            event_id: Uuid::nil(),
            stream: format!("user-{}", ALICE.0),
            revision: 1,
            position: Position(2),
            event_type: "ProfileUpdated".to_owned(),
            schema_version: 1,
            data: data.to_owned(),
            metadata: Metadata {
                actor: Actor::System,
                correlation_id: Uuid::nil(),
                causation_id: Uuid::nil(),
                occurred_at: chrono::DateTime::UNIX_EPOCH,
            },
        };
        let upcasters = roster_domain::event::upcasters();
        for (v1, display, mail) in [
            (
                r#"{"display_name":"Zoë","email":"z@example.org"}"#,
                "Zoë",
                Some("z@example.org"),
            ),
            (r#"{"display_name":"Zoë","email":null}"#, "Zoë", None),
            (r#"{"display_name":"Zoë"}"#, "Zoë", None),
        ] {
            let read = upcasters.apply(stored(v1)).expect("upcasts");
            assert_eq!(read.schema_version, 2);
            let event = Event::decode(&read.stream, &read.event_type, &read.data);
            let expected = ProfileUpdated {
                display_name: Some(display_name(display)),
                email: Some(mail.map(email)),
            };
            assert_eq!(
                event,
                Ok(Event::User(ALICE, UserEvent::ProfileUpdated(expected))),
                "{v1}"
            );
        }
    }

    #[test]
    fn it_should_store_events_without_fields_as_an_empty_object() {
        for event in [
            Event::User(ALICE, UserEvent::AdminGranted {}),
            Event::User(ALICE, UserEvent::Deleted {}),
            Event::Persona(PERSONA, PersonaEvent::Deleted {}),
        ] {
            assert_eq!(stored_data(&event), json!({}), "{}", event.event_type());
        }
    }

    #[test]
    fn it_should_store_a_reservation_as_the_holders_id() {
        let event = Event::Username("alice".into(), UsernameEvent::Reserved { user_id: ALICE });
        assert_eq!(
            stored_data(&event),
            json!({ "user_id": "00000000-0000-0000-0000-000000000200" })
        );
    }

    #[test]
    fn it_should_store_a_session_with_its_token_hash_and_expiry() {
        assert_eq!(
            stored_data(&session_started(SESSION, ALICE)),
            json!({
                "user_id": "00000000-0000-0000-0000-000000000200",
                "token_hash": "ab".repeat(32),
                "expires_at": "2025-06-22T15:06:40Z",
                "user_agent": "Mozilla/5.0",
                "ip": "192.0.2.7",
                "remember_me": false,
            })
        );
        assert_eq!(
            stored_data(&Event::Session(
                SESSION,
                SessionEvent::Ended {
                    reason: EndReason::PasswordReset
                }
            )),
            json!({ "reason": "password_reset" })
        );
    }

    #[test]
    fn it_should_store_an_api_key_sealed_with_only_its_tail_in_clear() {
        assert_eq!(
            stored_data(&api_key_added(KeyringOwner::User(ALICE), KEY, "openai")),
            json!({
                "key_id": "00000000-0000-0000-0000-000000000500",
                "provider": "openai",
                "name": "openai key",
                "sealed": {
                    "scheme": "xchacha20poly1305:v1",
                    "nonce": "bm9uY2U1",
                    "ciphertext": "Q0lQSEVSVEVYVA1",
                },
                "last4": "wxyz",
            })
        );
    }

    #[test]
    fn it_should_store_a_second_factor_sealed_and_its_recovery_codes_hashed() {
        assert_eq!(
            stored_data(&totp_enrollment_started(ALICE, 1)),
            json!({
                "secret": {
                    "scheme": "xchacha20poly1305:v1",
                    "nonce": "bm9uY2U1",
                    "ciphertext": "U0VBTEVEU0VDUkVU1",
                },
            })
        );
        let enabled = stored_data(&totp_enabled(ALICE, STEP));
        assert_eq!(enabled["step"], json!(STEP));
        assert_eq!(
            enabled["recovery_codes"].as_array().map(Vec::len),
            Some(RECOVERY_CODES)
        );
        assert_eq!(
            enabled["recovery_codes"][0],
            json!(recovery_code_hash(0).as_str())
        );
    }

    #[test]
    fn it_should_store_a_login_challenge_without_its_token_or_the_password_hash() {
        let issued = Event::Challenge(
            challenge_hash(),
            ChallengeEvent::Issued(ChallengeIssued {
                user_id: ALICE,
                expires_at: noon(),
                password_fingerprint: "fe".repeat(32),
                remember_me: false,
            }),
        );
        assert_eq!(
            issued.stream().to_string(),
            format!("challenge-{}", challenge_hash())
        );
        assert_eq!(
            stored_data(&issued),
            json!({
                "user_id": "00000000-0000-0000-0000-000000000200",
                "expires_at": "2025-06-15T15:06:40Z",
                "password_fingerprint": "fe".repeat(32),
                "remember_me": false,
            })
        );
    }

    #[test]
    fn it_should_store_an_idempotent_answer_under_a_hashed_key() {
        let completed = Event::Idempotency(
            idempotency_key(),
            IdempotencyEvent::Completed(IdempotentAnswer {
                status: 201,
                content_type: Some("application/json".into()),
                etag: None,
                body: r#"{"id":"1"}"#.into(),
                at: noon(),
            }),
        );
        assert_eq!(
            completed.stream().to_string(),
            format!("idempotency-{}", idempotency_key())
        );
        assert_eq!(
            stored_data(&completed),
            json!({
                "status": 201,
                "content_type": "application/json",
                "body": r#"{"id":"1"}"#,
                "at": "2025-06-15T15:06:40Z",
            })
        );
        let started = Event::Idempotency(
            idempotency_key(),
            IdempotencyEvent::Started(RequestStarted {
                fingerprint: "ef".repeat(32),
                at: noon(),
            }),
        );
        assert_eq!(
            stored_data(&started),
            json!({ "fingerprint": "ef".repeat(32), "at": "2025-06-15T15:06:40Z" })
        );
    }

    #[test]
    fn it_should_store_a_transfer_with_both_owners() {
        let event = Event::Persona(
            PERSONA,
            PersonaEvent::Transferred {
                from: ALICE,
                to: BOB,
            },
        );
        assert_eq!(
            stored_data(&event),
            json!({
                "from": "00000000-0000-0000-0000-000000000200",
                "to": "00000000-0000-0000-0000-000000000201",
            })
        );
    }
}

mod secrets {
    use super::*;

    /// Whether `T` implements `Serialize`, decided at compile time: the inherent constant wins
    /// when the bound holds, the trait's default otherwise.
    struct Probe<T>(PhantomData<T>);

    trait NotSerialize {
        const SERIALIZE: bool = false;
    }

    impl<T> NotSerialize for Probe<T> {}

    impl<T: serde::Serialize> Probe<T> {
        const SERIALIZE: bool = true;
    }

    #[test]
    fn it_should_make_a_plaintext_password_impossible_to_serialise() {
        // Checked while compiling: should `Password` ever derive `Serialize`, this file stops
        // building, before any event could carry one.
        const { assert!(!Probe::<Password>::SERIALIZE) };
        // The probe itself works: the hash, which events do store, is serialisable.
        const { assert!(Probe::<PasswordHash>::SERIALIZE) };
    }

    #[test]
    fn it_should_never_write_the_password_a_hash_was_made_from() {
        // A hash is opaque to the domain: nothing in it, and nothing beside it, is the password.
        let password = Password::parse("hunter22").expect("a valid password");
        let hash = PasswordHash::from_phc(
            "$argon2id$v=19$m=19456,t=2,p=1$cm9zdGVyLXNhbHQ$b3BhcXVlLWRpZ2VzdC1ieXRlcw".into(),
        );
        let events = [
            created(
                ALICE,
                roster_domain::user::UserCreated {
                    password_hash: hash.clone(),
                    ..user_created("alice", None, false)
                },
            ),
            vec![
                Event::User(
                    ALICE,
                    UserEvent::PasswordReset(PasswordReset {
                        password_hash: hash.clone(),
                        revoke_sessions: false,
                        require_change: false,
                    }),
                ),
                Event::User(
                    ALICE,
                    UserEvent::PasswordChanged(PasswordChanged {
                        password_hash: hash,
                        kept_session: None,
                    }),
                ),
            ],
        ]
        .concat();
        for event in events {
            let data = event.encode().expect("every event encodes");
            assert!(!data.data.contains(password.expose()), "{}", data.data);
            assert!(!format!("{event:?}").contains(password.expose()));
        }
    }

    #[test]
    fn it_should_redact_passwords_and_hashes_when_debug_printed() {
        let password = Password::parse("hunter22").expect("a valid password");
        assert!(!format!("{password:?}").contains("hunter22"));
        let hash = first_hash();
        assert!(!format!("{hash:?}").contains(hash.as_phc()));
        assert!(!format!("{hash:?}").contains("argon2id"));
        let event = &created(ALICE, user_created("alice", None, false))[0];
        assert!(!format!("{event:?}").contains(hash.as_phc()));
    }
}
