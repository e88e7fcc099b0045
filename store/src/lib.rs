//! Roster store adapters.
