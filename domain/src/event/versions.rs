//! Every schema change of a stored event, in one place: the upcasters that read an old version
//! as the one written today. Stores are opened with [`upcasters`], so the domain and the read
//! models only ever see current versions; `roster migrate --transform upcast` rewrites history
//! with the same chain, so that readers skip it.
//!
//! To change an event's shape: bump its family's `schema_version` for that type, write the
//! step from the old version beside the event, and register it here.

use crate::store::Upcasters;
use crate::user::profile_updated_v1_to_v2;

/// Every upcaster Roster has.
pub fn upcasters() -> Upcasters {
    Upcasters::none().register("ProfileUpdated", 1, profile_updated_v1_to_v2)
}
