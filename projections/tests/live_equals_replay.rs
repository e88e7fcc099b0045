//! Property: whatever valid commands run, the projections that followed the log live equal,
//! field for field (index entries included), projections rebuilt by a fresh replay of the
//! same log, and projections that applied a prefix of the log and then resumed from a feed
//! starting where the prefix ended. Each also answers its lookups and totals as a scan of
//! its own views does, and every user's version is the revision of their stream in the log.
//!
//! Across the run every event type, and every case of the read models the generator aims at,
//! must occur, and every kind of command must have been accepted at least once: otherwise a
//! generator whose commands the domain refuses would pass while proving nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test arrangement: a failure is a test failure

mod scenario;

use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use roster_domain::store::{EventStore, Position};
use roster_domain::stream::{KeyringOwner, StreamId};
use roster_projections::UserFilter;
use roster_projections::{Projections, ReadModels, UserStats};
use roster_store::MemoryStore;
use scenario::{Scenario, Step, coverage};
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

const IDLE_TIMEOUT: Duration = Duration::hours(2);

/// What one case exercised.
struct Exercised {
    seen: BTreeSet<String>,
    accepted: BTreeSet<String>,
}

/// Runs `steps` with projections following live, then replays the log afresh and resumed
/// from `split` thousandths of the way in, and compares all three.
async fn live_and_replayed(steps: Vec<Step>, split: usize) -> Exercised {
    let store: Arc<dyn EventStore> = Arc::new(MemoryStore::new());
    let live = Projections::new(IDLE_TIMEOUT);
    let follower = live.follow(store.clone());
    let mut scenario = Scenario::bootstrapped(store.clone()).await;
    let mut accepted = BTreeSet::new();
    for step in steps {
        let kind = step.kind();
        if scenario.apply(step).await {
            accepted.insert(kind);
        }
    }

    let head = store.head().await.unwrap();
    live.wait_for(head, StdDuration::from_secs(10))
        .await
        .unwrap();
    follower.abort();
    let live = live.read(Clone::clone);

    let replayed = Projections::new(IDLE_TIMEOUT);
    assert_eq!(replayed.replay(store.clone()).await.unwrap(), head);
    let replayed = replayed.read(Clone::clone);
    assert_eq!(live.users, replayed.users);
    assert_eq!(live.sessions, replayed.sessions);
    assert_eq!(live.owned, replayed.owned);
    assert_eq!(live.audit, replayed.audit);
    assert_eq!(live, replayed);

    let log = store.read_all(Position::START, usize::MAX).await.unwrap();
    assert_eq!(log.last().map(|r| r.position), Some(head));
    let prefix = log.len() * split / 1000;
    let resumed = Projections::new(IDLE_TIMEOUT);
    resumed.apply_all(&log[..prefix]);
    assert_eq!(resumed.replay(store).await.unwrap(), head);
    let resumed = resumed.read(Clone::clone);
    assert_eq!(
        resumed,
        replayed,
        "resumed after {prefix} of {} events",
        log.len()
    );

    // A user's version is the revision of the last event of their stream, as in the store.
    for user in live.users.all() {
        let stream = StreamId::User(user.id).to_string();
        let last = log.iter().rfind(|r| r.stream == stream).map(|r| r.revision);
        assert_eq!(Some(user.version), last, "version of {stream}");
    }

    check_against_scans(&live, scenario.now);
    Exercised {
        seen: coverage::seen(&log),
        accepted,
    }
}

/// Lookups, counts and totals agree with a scan of the views they come from.
fn check_against_scans(models: &ReadModels, now: DateTime<Utc>) {
    let users: Vec<_> = models.users.all().collect();
    let totals = models.totals(now);
    assert_eq!(totals.users, users.len());
    assert_eq!(totals.admins, users.iter().filter(|u| u.is_admin).count());
    for user in &users {
        let shouted = user.username.to_ascii_uppercase();
        assert_eq!(
            models.users.by_username(&shouted).map(|u| u.id),
            Some(user.id)
        );
        assert!(user.matches(&user.display_name) && user.matches(&shouted));
    }
    // Search through the shared search text finds exactly what a scan of the views finds,
    // newest first, for a needle taken from each user's fields and for every admin filter.
    for user in &users {
        let mut needles = vec![user.username.to_ascii_uppercase()];
        let display: Vec<char> = user.display_name.chars().collect();
        needles.push(display[display.len() / 2..].iter().collect());
        needles.extend(user.email.as_ref().map(|e| e.chars().take(5).collect()));
        for needle in needles {
            for is_admin in [None, Some(true), Some(false)] {
                let filter = UserFilter {
                    search: Some(needle.clone()),
                    is_admin,
                };
                let page = models.users.page(&filter, usize::MAX, None);
                let scanned: Vec<_> = users
                    .iter()
                    .filter(|u| is_admin.is_none_or(|admin| u.is_admin == admin))
                    .filter(|u| u.matches(needle.trim()))
                    .map(|u| u.id)
                    .collect();
                let found: Vec<_> = page.users.iter().map(|u| u.id).collect();
                assert_eq!(found, scanned, "search {needle:?}, admins {is_admin:?}");
                assert_eq!(page.total_count, scanned.len());
            }
        }
    }
    let sum = |at, count: fn(UserStats) -> usize| -> usize {
        users.iter().map(|u| count(models.stats(u.id, at))).sum()
    };
    assert_eq!(sum(now, |s| s.personas), models.owned.personas.len());
    let system_keys = models.owned.api_keys.count_of(KeyringOwner::System);
    assert_eq!(
        sum(now, |s| s.api_keys) + system_keys,
        models.owned.api_keys.len()
    );
    for at in [-1, 0, 1, 2, 3, 24, 48].map(|hours| now + Duration::hours(hours)) {
        let active = models.sessions.all(at);
        assert_eq!(models.totals(at).active_sessions, active.len());
        assert_eq!(
            sum(at, |s| s.active_sessions),
            active.len(),
            "all live users'"
        );
        for session in active {
            let token = hex::encode(session.token_hash);
            let found = models.sessions.by_token_hash(&token, at).map(|s| s.id);
            assert_eq!(found, Some(session.id));
        }
    }
}

#[test]
fn live_projections_equal_a_fresh_and_a_resumed_replay() {
    let exercised = Mutex::new(Exercised {
        seen: BTreeSet::new(),
        accepted: BTreeSet::new(),
    });
    let mut runner = TestRunner::new(Config {
        cases: 192,
        // Where `proptest!` would keep failing cases to run again first.
        source_file: Some(file!()),
        ..Config::default()
    });
    let cases = (
        prop::collection::vec(scenario::step(), 1..150),
        0usize..=1000,
    );
    let outcome = runner.run(&cases, |(steps, split)| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let case = runtime.block_on(live_and_replayed(steps, split));
        let mut all = exercised.lock().unwrap();
        all.seen.extend(case.seen);
        all.accepted.extend(case.accepted);
        Ok(())
    });
    if let Err(failure) = outcome {
        panic!("{failure}");
    }

    let exercised = exercised.into_inner().unwrap();
    let unseen: Vec<_> = coverage::expected()
        .difference(&exercised.seen)
        .cloned()
        .collect();
    assert!(unseen.is_empty(), "no history had: {unseen:?}");
    let never_accepted: Vec<_> = Step::COMMANDS
        .iter()
        .filter(|kind| !exercised.accepted.contains(**kind))
        .collect();
    assert!(
        never_accepted.is_empty(),
        "always refused: {never_accepted:?}"
    );
}
