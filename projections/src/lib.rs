//! Roster read models (users, stats, sessions, audit), built from the event log.
