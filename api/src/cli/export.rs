//! `roster export --user ID|USERNAME`: everything Roster holds about one user, as one JSON
//! document, offline on the store itself. No secret is in it: no password hash, no session
//! token or token hash, no API key (its provider, name and last four characters only).

use crate::auth::RequestContext;
use crate::config::StoreLocation;
use crate::rest::shapes::audit_entry;
use crate::server::open_offline;
use crate::service::audit::{self, UserExport};
use chrono::Utc;
use clap::Args;
use serde_json::{Value, json};
use std::path::PathBuf;

/// `roster export` flags.
#[derive(Debug, Clone, Args)]
pub struct ExportArgs {
    /// The user: an id, or a username (the last account to hold it, deleted or not).
    #[arg(long)]
    pub user: String,
    /// The event store (default: the one `serve` uses, `ROSTER_STORE`).
    #[arg(long)]
    pub store: Option<String>,
    /// Write the document here instead of to standard output (only once it is complete).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Runs `roster export`; `default_store` is the store `serve` would use.
pub async fn run(args: ExportArgs, default_store: &str) -> Result<(), String> {
    let location = StoreLocation::parse(args.store.as_deref().unwrap_or(default_store))
        .map_err(|e| e.to_string())?;
    let offline = open_offline(&location).await.map_err(|e| e.to_string())?;
    let export = audit::export(offline.state(), &RequestContext::operator(), &args.user)
        .await
        .map_err(|e| e.to_string())?;
    let text = serde_json::to_string_pretty(&document(&export)).map_err(|e| e.to_string())?;
    match args.out {
        Some(path) => std::fs::write(&path, text + "\n")
            .map_err(|e| format!("cannot write {}: {e}", path.display())),
        None => {
            println!("{text}");
            Ok(())
        }
    }
}

fn document(export: &UserExport) -> Value {
    let account = &export.account;
    let time = |t: Option<chrono::DateTime<Utc>>| json!(t);
    json!({
        "exportedAt": Utc::now(),
        "profile": {
            "id": account.id.to_string(),
            "username": account.username(),
            "displayName": account.display_name(),
            "email": account.email(),
            "isAdmin": account.is_admin(),
            "disabled": account.disabled(),
            "mustChangePassword": account.must_change_password(),
            "totpEnabled": account.totp_enabled,
            "createdAt": account.created_at,
            "updatedAt": account.updated_at,
            "version": account.version,
            "deleted": account.deleted.map(|(at, _)| json!({
                "at": at,
                "by": export.deleted_by.as_ref().map(|actor| json!({
                    "id": actor.id,
                    "username": actor.username,
                })),
            })),
        },
        "adminHistory": export.admin_history.iter().map(|change| json!({
            "at": change.at,
            "actor": { "id": change.actor.id, "username": change.actor.username },
            "isAdmin": change.is_admin,
        })).collect::<Vec<_>>(),
        "sessions": account.sessions.iter().map(|session| json!({
            "id": session.id.to_string(),
            "startedAt": session.started_at,
            "expiresAt": session.expires_at,
            "userAgent": session.user_agent,
            "ipAddress": session.ip,
            "rememberMe": session.remember_me,
            "endedAt": time(session.ended.as_ref().map(|(at, _)| *at)),
            "endReason": session.ended.as_ref().map(|(_, reason)| reason),
        })).collect::<Vec<_>>(),
        "personas": account.personas.iter().map(|persona| json!({
            "id": persona.id.to_string(),
            "name": persona.name,
            "heldFrom": persona.since,
            "heldUntil": persona.until,
        })).collect::<Vec<_>>(),
        "apiKeys": account.api_keys.iter().map(|key| json!({
            "id": key.id.to_string(),
            "provider": key.provider,
            "name": key.name,
            "last4": key.last4,
            "addedAt": key.added_at,
            "removedAt": key.removed_at,
        })).collect::<Vec<_>>(),
        "history": export.history.iter().map(audit_entry).collect::<Vec<_>>(),
    })
}
