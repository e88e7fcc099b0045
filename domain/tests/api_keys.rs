//! given/when/then for model-service API keys: a user's own keyring and the system keyring,
//! one key per provider and owner, and secrets that never show in clear.

mod common;

use common::*;
use roster_domain::event::Event;
use roster_domain::ids::{ApiKeyId, UserId};
use roster_domain::keyring::{
    AddApiKey, ApiKeyAdded, ApiKeyReplaced, KeyringError, KeyringEvent, RemoveApiKey, ReplaceApiKey,
};
use roster_domain::store::Actor;
use roster_domain::stream::KeyringOwner;
use roster_domain::testing::given;
use roster_domain::values::Provider;

const ALICES: KeyringOwner = KeyringOwner::User(ALICE);
const BOBS: KeyringOwner = KeyringOwner::User(BOB);
const SYSTEM: KeyringOwner = KeyringOwner::System;

fn add(owner: KeyringOwner, id: ApiKeyId, provider_name: &str) -> AddApiKey {
    AddApiKey {
        owner,
        key: api_key(id, provider_name),
    }
}

fn added(owner: KeyringOwner, id: ApiKeyId, provider_name: &str) -> Vec<Event> {
    vec![api_key_added(owner, id, provider_name)]
}

fn replacement(id: ApiKeyId) -> ApiKeyReplaced {
    ApiKeyReplaced {
        key_id: id,
        name: resource_name("rotated"),
        sealed: sealed(2),
        last4: "9876".into(),
    }
}

fn replace(owner: KeyringOwner, id: ApiKeyId) -> ReplaceApiKey {
    ReplaceApiKey {
        owner,
        key: replacement(id),
    }
}

fn remove(owner: KeyringOwner, id: ApiKeyId) -> RemoveApiKey {
    RemoveApiKey { owner, key_id: id }
}

fn removed(owner: KeyringOwner, id: ApiKeyId) -> Event {
    Event::Keyring(owner, KeyringEvent::Removed { key_id: id })
}

/// `root`, `alice` and `bob`; alice has an `openai` key.
fn alice_has_an_openai_key() -> Vec<Event> {
    [root_alice_and_bob(), added(ALICES, KEY, "openai")].concat()
}

/// As [`alice_has_an_openai_key`], then alice is deleted.
fn alice_deleted_with_her_key() -> Vec<Event> {
    [alice_has_an_openai_key(), member_deleted(ALICE, "alice")].concat()
}

fn user(id: UserId) -> KeyringOwner {
    KeyringOwner::User(id)
}

mod add_api_key {
    use super::*;

    #[test]
    fn it_should_add_a_key_to_a_users_own_keyring() {
        given(root_and_alice())
            .when(as_user(ALICE), add(ALICES, KEY, "openai"))
            .then(added(ALICES, KEY, "openai"));
    }

    #[test]
    fn it_should_let_an_admin_add_a_key_to_a_users_keyring() {
        given(root_and_alice())
            .when(as_user(ROOT), add(ALICES, KEY, "openai"))
            .then(added(ALICES, KEY, "openai"));
    }

    #[test]
    fn it_should_not_add_a_second_key_for_the_same_provider() {
        given(alice_has_an_openai_key())
            .when(as_user(ALICE), add(ALICES, OTHER_KEY, "openai"))
            .then_error(KeyringError::ProviderTaken);
    }

    #[test]
    fn it_should_add_a_key_for_another_provider() {
        given(alice_has_an_openai_key())
            .when(as_user(ALICE), add(ALICES, OTHER_KEY, "anthropic"))
            .then(added(ALICES, OTHER_KEY, "anthropic"));
    }

    #[test]
    fn it_should_allow_the_same_provider_for_a_different_owner() {
        given(alice_has_an_openai_key())
            .when(as_user(BOB), add(BOBS, OTHER_KEY, "openai"))
            .then(added(BOBS, OTHER_KEY, "openai"));
    }

    #[test]
    fn it_should_allow_a_user_key_and_a_system_key_for_the_same_provider() {
        given(alice_has_an_openai_key())
            .when(as_user(ROOT), add(SYSTEM, OTHER_KEY, "openai"))
            .then(added(SYSTEM, OTHER_KEY, "openai"));
    }

    #[test]
    fn it_should_free_the_provider_once_its_key_is_removed() {
        given([alice_has_an_openai_key(), vec![removed(ALICES, KEY)]].concat())
            .when(as_user(ALICE), add(ALICES, OTHER_KEY, "openai"))
            .then(added(ALICES, OTHER_KEY, "openai"));
    }

    #[test]
    fn it_should_not_reuse_a_key_id() {
        given(alice_has_an_openai_key())
            .when(as_user(ALICE), add(ALICES, KEY, "anthropic"))
            .then_error(KeyringError::AlreadyExists);
    }

    #[test]
    fn it_should_let_an_admin_add_a_system_key() {
        given(root_and_alice())
            .when(as_user(ROOT), add(SYSTEM, KEY, "openai"))
            .then(added(SYSTEM, KEY, "openai"));
    }

    #[test]
    fn it_should_not_let_a_member_add_a_system_key() {
        given(root_and_alice())
            .when(as_user(ALICE), add(SYSTEM, KEY, "openai"))
            .then_error(KeyringError::AdminRequired);
    }

    #[test]
    fn it_should_not_let_a_member_add_a_key_to_another_members_keyring() {
        given(root_alice_and_bob())
            .when(as_user(BOB), add(ALICES, KEY, "openai"))
            .then_error(KeyringError::NotYours);
    }

    #[test]
    fn it_should_not_add_a_key_for_a_deleted_owner() {
        given([root_and_alice(), member_deleted(ALICE, "alice")].concat())
            .when(as_user(ROOT), add(ALICES, KEY, "openai"))
            .then_error(KeyringError::OwnerNotFound);
    }

    #[test]
    fn it_should_not_add_a_key_for_an_unknown_owner() {
        given(root_and_alice())
            .when(as_user(ROOT), add(user(NOBODY), KEY, "openai"))
            .then_error(KeyringError::OwnerNotFound);
    }

    #[test]
    fn it_should_not_keep_more_than_four_characters_of_a_key_in_clear() {
        let command = AddApiKey {
            owner: ALICES,
            key: ApiKeyAdded {
                last4: "vwxyz".into(),
                ..api_key(KEY, "openai")
            },
        };
        given(root_and_alice())
            .when(as_user(ALICE), command)
            .then_error(KeyringError::TailTooLong);
    }

    #[test]
    fn it_should_count_the_tail_in_characters_not_bytes() {
        let key = ApiKeyAdded {
            last4: "ÿÿÿÿ".into(),
            ..api_key(KEY, "openai")
        };
        given(root_and_alice())
            .when(
                as_user(ALICE),
                AddApiKey {
                    owner: ALICES,
                    key: key.clone(),
                },
            )
            .then(vec![Event::Keyring(ALICES, KeyringEvent::Added(key))]);
    }
}

mod replace_api_key {
    use super::*;

    #[test]
    fn it_should_replace_a_key() {
        given(alice_has_an_openai_key())
            .when(as_user(ALICE), replace(ALICES, KEY))
            .then(vec![Event::Keyring(
                ALICES,
                KeyringEvent::Replaced(replacement(KEY)),
            )]);
    }

    #[test]
    fn it_should_keep_the_provider_taken_after_a_replacement() {
        let replaced = Event::Keyring(ALICES, KeyringEvent::Replaced(replacement(KEY)));
        given([alice_has_an_openai_key(), vec![replaced]].concat())
            .when(as_user(ALICE), add(ALICES, OTHER_KEY, "openai"))
            .then_error(KeyringError::ProviderTaken);
    }

    #[test]
    fn it_should_not_replace_an_unknown_key() {
        given(alice_has_an_openai_key())
            .when(as_user(ALICE), replace(ALICES, OTHER_KEY))
            .then_error(KeyringError::NotFound);
    }

    #[test]
    fn it_should_not_replace_a_removed_key() {
        given([alice_has_an_openai_key(), vec![removed(ALICES, KEY)]].concat())
            .when(as_user(ALICE), replace(ALICES, KEY))
            .then_error(KeyringError::NotFound);
    }

    #[test]
    fn it_should_not_replace_a_key_with_a_tail_longer_than_four_characters() {
        let command = ReplaceApiKey {
            owner: ALICES,
            key: ApiKeyReplaced {
                last4: "12345".into(),
                ..replacement(KEY)
            },
        };
        given(alice_has_an_openai_key())
            .when(as_user(ALICE), command)
            .then_error(KeyringError::TailTooLong);
    }

    #[test]
    fn it_should_not_let_a_member_replace_another_members_key() {
        given(alice_has_an_openai_key())
            .when(as_user(BOB), replace(ALICES, KEY))
            .then_error(KeyringError::NotYours);
    }

    #[test]
    fn it_should_not_let_a_member_replace_a_system_key() {
        given([root_and_alice(), added(SYSTEM, KEY, "openai")].concat())
            .when(as_user(ALICE), replace(SYSTEM, KEY))
            .then_error(KeyringError::AdminRequired);
    }

    #[test]
    fn it_should_not_replace_a_key_of_a_deleted_owner() {
        given(alice_deleted_with_her_key())
            .when(as_user(ROOT), replace(ALICES, KEY))
            .then_error(KeyringError::OwnerNotFound);
    }
}

mod remove_api_key {
    use super::*;

    #[test]
    fn it_should_remove_a_key() {
        given(alice_has_an_openai_key())
            .when(as_user(ALICE), remove(ALICES, KEY))
            .then(vec![removed(ALICES, KEY)]);
    }

    #[test]
    fn it_should_not_remove_an_unknown_key() {
        given(alice_has_an_openai_key())
            .when(as_user(ALICE), remove(ALICES, OTHER_KEY))
            .then_error(KeyringError::NotFound);
    }

    #[test]
    fn it_should_not_remove_a_key_twice() {
        given([alice_has_an_openai_key(), vec![removed(ALICES, KEY)]].concat())
            .when(as_user(ALICE), remove(ALICES, KEY))
            .then_error(KeyringError::NotFound);
    }

    #[test]
    fn it_should_not_find_another_owners_key_in_ones_own_keyring() {
        given(alice_has_an_openai_key())
            .when(as_user(BOB), remove(BOBS, KEY))
            .then_error(KeyringError::NotFound);
    }

    #[test]
    fn it_should_not_let_a_member_remove_a_system_key() {
        given([root_and_alice(), added(SYSTEM, KEY, "openai")].concat())
            .when(as_user(ALICE), remove(SYSTEM, KEY))
            .then_error(KeyringError::AdminRequired);
    }

    #[test]
    fn it_should_not_let_a_member_remove_another_members_key() {
        given(alice_has_an_openai_key())
            .when(as_user(BOB), remove(ALICES, KEY))
            .then_error(KeyringError::NotYours);
    }

    #[test]
    fn it_should_not_remove_a_key_of_a_deleted_owner() {
        given(alice_deleted_with_her_key())
            .when(as_user(ROOT), remove(ALICES, KEY))
            .then_error(KeyringError::OwnerNotFound);
    }

    #[test]
    fn it_should_let_the_system_remove_a_system_key() {
        given([root_and_alice(), added(SYSTEM, KEY, "openai")].concat())
            .when(Actor::System, remove(SYSTEM, KEY))
            .then(vec![removed(SYSTEM, KEY)]);
    }
}

mod provider_and_secret {
    use super::*;

    #[test]
    fn it_should_lowercase_and_trim_a_provider_name() {
        assert_eq!(
            Provider::parse("  OpenAI ").map(|p| p.as_str().to_owned()),
            Ok("openai".to_owned())
        );
        assert_eq!(
            Provider::parse("Azure-OpenAI_2").map(|p| p.as_str().to_owned()),
            Ok("azure-openai_2".to_owned())
        );
    }

    #[test]
    fn it_should_refuse_a_provider_name_outside_the_allowed_characters_or_length() {
        let too_long = "p".repeat(33);
        for bad in [
            "",
            "   ",
            "open ai",
            "openai!",
            "ópenai",
            "a/b",
            too_long.as_str(),
        ] {
            assert_eq!(
                Provider::parse(bad),
                Err(KeyringError::InvalidProvider),
                "{bad:?}"
            );
        }
        assert!(Provider::parse(&"p".repeat(32)).is_ok());
    }

    #[test]
    fn it_should_name_the_fallback_environment_variable_after_the_provider() {
        assert_eq!(provider("openai").env_var(), "OPENAI_API_KEY");
        assert_eq!(provider("azure-openai").env_var(), "AZURE_OPENAI_API_KEY");
    }

    #[test]
    fn it_should_not_show_a_sealed_keys_ciphertext_or_nonce_when_debug_printed() {
        let key = sealed(7);
        let printed = format!(
            "{key:?} {:?}",
            api_key_added(ALICES, KEY, "openai") // an event holding a sealed key
        );
        assert!(printed.contains("xchacha20poly1305:v1"), "{printed}");
        assert!(!printed.contains(&key.ciphertext), "{printed}");
        assert!(!printed.contains(&sealed(1).ciphertext), "{printed}");
        assert!(!printed.contains(&key.nonce), "{printed}");
    }
}
