//! Transforms: named, versioned rewrites of stored events that `roster migrate --transform
//! NAME` applies to every event it copies. They are all registered in [`TRANSFORMS`], and
//! nowhere else.
//!
//! To add one: write a `fn(&TransformContext) -> Result<Rewrite, String>` that builds the
//! rewrite (reading whatever it needs once, such as a key), add a [`Transform`] entry with a
//! new name and version 1 below, and describe it in the README's "Operating Roster" section.
//! A transform must keep each event's id, stream and revision (migrate checks this), and a
//! change to what a transform writes bumps its version.

use crate::config::StoreLocation;
use roster_domain::store::Recorded;
use std::sync::LazyLock;

/// One event rewritten; an error stops the migration before anything of its batch is written.
pub type Rewrite = Box<dyn FnMut(Recorded) -> Result<Recorded, String> + Send>;

/// What a transform may need to know to build its rewrite: where the events come from and go.
#[derive(Debug, Clone)]
pub struct TransformContext {
    /// The source store.
    pub from: StoreLocation,
    /// The target store.
    pub to: StoreLocation,
}

/// A named, versioned transform.
#[derive(Debug, Clone, Copy)]
pub struct Transform {
    /// What `--transform` names.
    pub name: &'static str,
    /// Bumped whenever what it writes changes.
    pub version: u32,
    /// One line for `roster migrate --help` and the summary.
    pub about: &'static str,
    /// Builds the rewrite for one migration.
    pub build: fn(&TransformContext) -> Result<Rewrite, String>,
}

/// Every transform Roster has.
pub const TRANSFORMS: &[Transform] = &[Transform {
    name: "upcast",
    version: 1,
    about: "rewrite every event at its newest schema version, so readers skip the upcast chain",
    build: upcast,
}];

/// The transform registered as `name`.
pub fn find(name: &str) -> Result<&'static Transform, String> {
    TRANSFORMS
        .iter()
        .find(|transform| transform.name == name)
        .ok_or_else(|| {
            let known: Vec<&str> = TRANSFORMS.iter().map(|t| t.name).collect();
            format!(
                "no transform is named {name:?} (known: {})",
                known.join(", ")
            )
        })
}

/// `upcast`: the domain's upcaster chain, applied once and for good.
fn upcast(_: &TransformContext) -> Result<Rewrite, String> {
    static UPCASTERS: LazyLock<roster_domain::store::Upcasters> =
        LazyLock::new(roster_domain::event::upcasters);
    Ok(Box::new(|event| {
        UPCASTERS.apply(event).map_err(|error| error.to_string())
    }))
}
