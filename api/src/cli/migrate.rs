//! `roster migrate --from URL --to URL [--transform NAME]… [--follow]`: copies a store into
//! another, event by event, keeping event ids, streams, revisions, times and order, in
//! batches (each one transaction of [`EventStore::import`]).
//!
//! Resumable: a target that holds the source's first events (a copy killed half way) is
//! continued after its last one, so no event is written twice; a target that is not empty
//! and not such a prefix is refused before anything is written. At the end both logs are
//! compared: their counts, and a checksum per stream over every field of every event.
//! `--follow` keeps copying new events until Ctrl-C (or SIGTERM), then compares.

use super::operating::{
    OperationError, interrupted, location, open, open_existing, progress, rate, read_from,
};
use super::transforms::{self, Rewrite, TransformContext};
use crate::config::StoreLocation;
use crate::secrets::key_file::key_file_beside;
use clap::Args;
use roster_domain::store::{EventStore, Position, Recorded, Upcasters};
use roster_store::shredding;
use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;
use std::time::Instant;

/// Events read at once when comparing the two logs.
const PAGE: usize = 8192;

/// `roster migrate`.
#[derive(Debug, Clone, Args)]
pub struct MigrateArgs {
    /// The store to copy (`sqlite://PATH`).
    #[arg(long)]
    pub from: String,
    /// The store to copy into: new, empty, or a copy of the source's first events.
    #[arg(long)]
    pub to: String,
    /// A transform applied to every event copied, by name (`upcast`); repeat for several,
    /// applied in order.
    #[arg(long = "transform")]
    pub transforms: Vec<String>,
    /// Keep copying new events until interrupted.
    #[arg(long)]
    pub follow: bool,
    /// Events per batch (one transaction in the target).
    #[arg(long, default_value_t = 10_000)]
    pub batch: usize,
}

/// Runs `roster migrate`.
pub async fn run(args: MigrateArgs) -> Result<(), OperationError> {
    let (from, to) = (location(&args.from)?, location(&args.to)?);
    if let (StoreLocation::Sqlite(a), StoreLocation::Sqlite(b)) = (&from, &to)
        && (a == b
            || a.canonicalize()
                .ok()
                .is_some_and(|a| b.canonicalize().ok() == Some(a)))
    {
        return Err(OperationError::Unable(
            "--from and --to name the same store".to_owned(),
        ));
    }
    let context = TransformContext {
        from: from.clone(),
        to: to.clone(),
    };
    let mut rewrites = Vec::new();
    for name in &args.transforms {
        let transform = transforms::find(name).map_err(OperationError::Unable)?;
        rewrites.push((transform.build)(&context).map_err(OperationError::Unable)?);
    }
    let batch = args.batch.max(1);
    let source = open_existing(&args.from, Upcasters::none()).await?;
    let target = open(to.clone(), Upcasters::none()).await?;

    let mut sums = Checksums::default();
    let resumed = resume_point(&source, &target, &mut rewrites, &mut sums).await?;
    copy_key_file(&from, &to)?;
    let head = source.head().await?;
    let bar = progress(head.0, "copying");
    bar.set_position(resumed.position.0);
    let started = Instant::now();
    let mut pages = read_from(source.clone(), resumed.position, batch, args.follow);
    let mut copied: u64 = 0;
    // `--follow` stops there, compares and reports.
    let stop = interrupted();
    tokio::pin!(stop);
    loop {
        let page = tokio::select! {
            page = pages.recv() => page,
            () = &mut stop => None,
        };
        let Some(page) = page else { break };
        let page = page?;
        let last = page.last().map(|event| event.position);
        let mut rewritten = Vec::with_capacity(page.len());
        for event in page {
            let event = rewrite(&mut rewrites, event)?;
            sums.add(&event);
            rewritten.push(event);
        }
        copied += rewritten.len() as u64;
        target.import(rewritten).await.map_err(|error| {
            OperationError::Unable(format!(
                "the target refused a batch ({error}); nothing of it was written, and the same \
                 command continues from there"
            ))
        })?;
        if let Some(last) = last {
            bar.set_length(bar.length().unwrap_or(0).max(last.0));
            bar.set_position(last.0);
        }
    }
    drop(pages);
    bar.finish_and_clear();
    copy_personal_keys(&from, &to)?;
    let elapsed = started.elapsed();

    let copy = Checksums::of(&target).await?;
    let summary = format!(
        "copied {copied} events in {:.2} s ({} events/s), {} were there already; ",
        elapsed.as_secs_f64(),
        rate(copied, elapsed),
        resumed.events
    );
    match sums.first_difference(&copy) {
        None => {
            println!(
                "{summary}source and target hold {} events each in {} streams, and every \
                 stream's checksum matches",
                sums.events,
                sums.streams.len()
            );
            Ok(())
        }
        Some(difference) => {
            println!("{summary}the copy differs: {difference}");
            Err(OperationError::Failed(format!(
                "the copy differs from its source: {difference}"
            )))
        }
    }
}

/// Applies every transform, in order; a transform must leave id, stream and revision alone.
fn rewrite(rewrites: &mut [Rewrite], mut event: Recorded) -> Result<Recorded, OperationError> {
    let (id, stream, revision, position) = (
        event.event_id,
        event.stream.clone(),
        event.revision,
        event.position,
    );
    for rewrite in rewrites.iter_mut() {
        event = rewrite(event).map_err(|reason| {
            OperationError::Unable(format!("position {position}, stream {stream}: {reason}"))
        })?;
    }
    if event.event_id != id || event.stream != stream || event.revision != revision {
        return Err(OperationError::Unable(format!(
            "position {position}: a transform changed the event's id, stream or revision"
        )));
    }
    Ok(event)
}

/// Where a copy starts: after the source event that matches the target's last one.
#[derive(Debug, Clone, Copy, Default)]
struct Resumed {
    position: Position,
    events: u64,
}

/// Checks that the target holds exactly the source's first events (same ids, streams and
/// revisions, in order) and returns where to go on; adds the matched source events, as the
/// transforms write them, to `sums`.
async fn resume_point(
    source: &Arc<dyn EventStore>,
    target: &Arc<dyn EventStore>,
    rewrites: &mut [Rewrite],
    sums: &mut Checksums,
) -> Result<Resumed, OperationError> {
    let mut resumed = Resumed::default();
    let mut theirs = read_from(target.clone(), Position::START, PAGE, false);
    let mut ours = read_from(source.clone(), Position::START, PAGE, false);
    let mut pending: std::vec::IntoIter<Recorded> = Vec::new().into_iter();
    while let Some(page) = theirs.recv().await {
        for copied in page? {
            let original = match pending.next() {
                Some(event) => event,
                None => match ours.recv().await {
                    Some(page) => {
                        pending = page?.into_iter();
                        pending.next().ok_or_else(|| not_a_prefix(&copied, None))?
                    }
                    None => return Err(not_a_prefix(&copied, None)),
                },
            };
            if (original.event_id, &original.stream, original.revision)
                != (copied.event_id, &copied.stream, copied.revision)
            {
                return Err(not_a_prefix(&copied, Some(&original)));
            }
            resumed.position = original.position;
            resumed.events += 1;
            sums.add(&rewrite(rewrites, original)?);
        }
    }
    Ok(resumed)
}

fn not_a_prefix(copied: &Recorded, original: Option<&Recorded>) -> OperationError {
    let found = match original {
        Some(original) => format!(
            "the source has event {} ({} revision {}) there",
            original.event_id, original.stream, original.revision
        ),
        None => "the source has no event there".to_owned(),
    };
    OperationError::Unable(format!(
        "the target is not empty and not a copy of the source's first events: its event at \
         position {} is {} ({} revision {}), and {found}; nothing was written",
        copied.position, copied.event_id, copied.stream, copied.revision
    ))
}

/// Per stream, a checksum chained over every field of each event in revision order, and the
/// number of events.
#[derive(Debug, Default, PartialEq, Eq)]
struct Checksums {
    streams: HashMap<String, (u64, u64)>,
    events: u64,
}

impl Checksums {
    fn add(&mut self, event: &Recorded) {
        let entry = match self.streams.get_mut(&event.stream) {
            Some(entry) => entry,
            None => self.streams.entry(event.stream.clone()).or_default(),
        };
        let mut hasher = DefaultHasher::new();
        entry.0.hash(&mut hasher);
        event.event_id.hash(&mut hasher);
        event.revision.hash(&mut hasher);
        event.event_type.hash(&mut hasher);
        event.schema_version.hash(&mut hasher);
        event.data.hash(&mut hasher);
        let metadata = &event.metadata;
        metadata.actor.hash(&mut hasher);
        metadata.correlation_id.hash(&mut hasher);
        metadata.causation_id.hash(&mut hasher);
        metadata.occurred_at.timestamp_micros().hash(&mut hasher);
        *entry = (hasher.finish(), entry.1 + 1);
        self.events += 1;
    }

    /// The checksums of everything `store` holds.
    async fn of(store: &Arc<dyn EventStore>) -> Result<Checksums, OperationError> {
        let mut sums = Checksums::default();
        let mut pages = read_from(store.clone(), Position::START, PAGE, false);
        while let Some(page) = pages.recv().await {
            for event in page? {
                sums.add(&event);
            }
        }
        Ok(sums)
    }

    /// The first way `copy` differs from these, if any.
    fn first_difference(&self, copy: &Checksums) -> Option<String> {
        if self.events != copy.events {
            return Some(format!(
                "the source holds {} events, the target {}",
                self.events, copy.events
            ));
        }
        let mut streams: Vec<&String> = self.streams.keys().collect();
        streams.sort();
        for stream in streams {
            let ours = self.streams.get(stream);
            let theirs = copy.streams.get(stream);
            if ours != theirs {
                return Some(format!("stream {stream} does not match"));
            }
        }
        (self.streams.len() != copy.streams.len())
            .then(|| "the target holds streams the source does not".to_owned())
    }
}

/// Copies the key that seals stored secrets (`secret.key`, beside a SQLite database) to the
/// target, when the source has one and the target has none: without it a server on the copy
/// could not open the API keys and second factors the log holds.
fn copy_key_file(from: &StoreLocation, to: &StoreLocation) -> Result<(), OperationError> {
    let (StoreLocation::Sqlite(from), StoreLocation::Sqlite(to)) = (from, to) else {
        return Ok(());
    };
    let (source, target) = (key_file_beside(from), key_file_beside(to));
    if !source.is_file() || target.exists() {
        return Ok(());
    }
    let key = std::fs::read(&source)
        .map_err(|e| OperationError::Unable(format!("cannot read {}: {e}", source.display())))?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options
        .open(&target)
        .and_then(|mut file| std::io::Write::write_all(&mut file, &key));
    written
        .map_err(|e| OperationError::Unable(format!("cannot write {}: {e}", target.display())))?;
    println!("copied {} to {}", source.display(), target.display());
    Ok(())
}

/// Copies the personal-data key file (beside a SQLite database) to the target once the events
/// are copied, so the keys of users created meanwhile come too: the copy's personal data is
/// sealed under them. A key destroyed in the source later is not destroyed in the copy: stop
/// writing to the source before the last run.
fn copy_personal_keys(from: &StoreLocation, to: &StoreLocation) -> Result<(), OperationError> {
    let (StoreLocation::Sqlite(from), StoreLocation::Sqlite(to)) = (from, to) else {
        return Ok(());
    };
    let (source, target) = (
        shredding::key_file_beside(from),
        shredding::key_file_beside(to),
    );
    if !source.is_file() {
        return Ok(());
    }
    shredding::copy_key_file(&source, &target)
        .map_err(|e| OperationError::Unable(e.to_string()))?;
    println!("copied {} to {}", source.display(), target.display());
    Ok(())
}
