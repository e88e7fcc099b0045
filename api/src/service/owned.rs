//! What users own besides keys: personas (which can be handed to another user), ontologies
//! and annotations. Deleting a user deletes them all (the read side cascades).

use super::AppState;
use super::policy;
use crate::auth::RequestContext;
use crate::error::ApiError;
use chrono::{DateTime, Utc};
use roster_domain::ids::{AnnotationId, OntologyId, PersonaId, UserId};
use roster_domain::persona::{CreatePersona, DeletePersona, TransferPersona};
use roster_domain::resource::{CreateAnnotation, CreateOntology, DeleteAnnotation, DeleteOntology};
use roster_domain::values::ResourceName;
use tracing::instrument;
use uuid::Uuid;

/// Which kind of owned thing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A persona.
    Persona,
    /// An ontology.
    Ontology,
    /// An annotation.
    Annotation,
}

/// A persona, ontology or annotation as shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedRecord {
    /// Its id.
    pub id: Uuid,
    /// Its owner.
    pub owner: UserId,
    /// Its name.
    pub name: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

fn not_found(kind: Kind) -> ApiError {
    ApiError::NotFound(
        match kind {
            Kind::Persona => "Persona not found",
            Kind::Ontology => "Ontology not found",
            Kind::Annotation => "Annotation not found",
        }
        .into(),
    )
}

/// Parses an id given by a client.
fn parse_id(kind: Kind, text: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(text.trim()).map_err(|_| not_found(kind))
}

/// One item, if it exists.
pub fn get(state: &AppState, kind: Kind, id: Uuid) -> Option<OwnedRecord> {
    state.projections.read(|models| {
        let found = match kind {
            Kind::Persona => models.owned.personas.get(PersonaId(id)),
            Kind::Ontology => models.owned.ontologies.get(OntologyId(id)),
            Kind::Annotation => models.owned.annotations.get(AnnotationId(id)),
        };
        found.map(|(owner, view)| OwnedRecord {
            id,
            owner,
            name: view.name.clone(),
            created_at: view.created_at,
        })
    })
}

/// Everything of one kind the caller owns, oldest first.
pub fn mine(
    state: &AppState,
    ctx: &RequestContext,
    kind: Kind,
) -> Result<Vec<OwnedRecord>, ApiError> {
    let owner = policy::signed_in(ctx)?.user_id;
    Ok(of_owner(state, kind, owner))
}

/// Everything of one kind a user owns, oldest first.
fn of_owner(state: &AppState, kind: Kind, owner: UserId) -> Vec<OwnedRecord> {
    state.projections.read(|models| {
        let record = |id: Uuid, view: &roster_projections::models::NamedView| OwnedRecord {
            id,
            owner,
            name: view.name.clone(),
            created_at: view.created_at,
        };
        match kind {
            Kind::Persona => models
                .owned
                .personas
                .of_owner(owner)
                .map(|(id, v)| record(id.0, v))
                .collect(),
            Kind::Ontology => models
                .owned
                .ontologies
                .of_owner(owner)
                .map(|(id, v)| record(id.0, v))
                .collect(),
            Kind::Annotation => models
                .owned
                .annotations
                .of_owner(owner)
                .map(|(id, v)| record(id.0, v))
                .collect(),
        }
    })
}

/// Creates one for `owner` (default: the caller; another user: administrators only, a rule
/// the domain decides against the log).
#[instrument(skip_all, fields(kind = ?kind))]
pub async fn create(
    state: &AppState,
    ctx: &RequestContext,
    kind: Kind,
    name: &str,
    owner: Option<&str>,
) -> Result<OwnedRecord, ApiError> {
    let identity = policy::signed_in(ctx)?;
    let owner = match owner {
        Some(id) => super::parse_user_id(id)?,
        None => identity.user_id,
    };
    let name = ResourceName::parse(name)?;
    let id = Uuid::now_v7();
    match kind {
        Kind::Persona => {
            let command = CreatePersona {
                persona_id: PersonaId(id),
                owner,
                name,
            };
            state.execute(ctx, &command).await?
        }
        Kind::Ontology => {
            let command = CreateOntology {
                id: OntologyId(id),
                owner,
                name,
            };
            state.execute(ctx, &command).await?
        }
        Kind::Annotation => {
            let command = CreateAnnotation {
                id: AnnotationId(id),
                owner,
                name,
            };
            state.execute(ctx, &command).await?
        }
    };
    get(state, kind, id).ok_or_else(|| not_found(kind))
}

/// Deletes one (its owner or an administrator).
#[instrument(skip_all, fields(kind = ?kind, id))]
pub async fn delete(
    state: &AppState,
    ctx: &RequestContext,
    kind: Kind,
    id: &str,
) -> Result<(), ApiError> {
    let id = parse_id(kind, id)?;
    policy::signed_in(ctx)?;
    if get(state, kind, id).is_none() {
        return Err(not_found(kind));
    }
    match kind {
        Kind::Persona => {
            state
                .execute(
                    ctx,
                    &DeletePersona {
                        persona_id: PersonaId(id),
                    },
                )
                .await?
        }
        Kind::Ontology => {
            state
                .execute(ctx, &DeleteOntology { id: OntologyId(id) })
                .await?
        }
        Kind::Annotation => {
            state
                .execute(
                    ctx,
                    &DeleteAnnotation {
                        id: AnnotationId(id),
                    },
                )
                .await?
        }
    };
    Ok(())
}

/// Hands a persona to another user (administrators; the guide's "transfer critical personas").
#[instrument(skip_all, fields(persona = id, to))]
pub async fn transfer_persona(
    state: &AppState,
    ctx: &RequestContext,
    id: &str,
    to: &str,
) -> Result<OwnedRecord, ApiError> {
    policy::administrator(ctx)?;
    let id = parse_id(Kind::Persona, id)?;
    let to = super::parse_user_id(to)?;
    let command = TransferPersona {
        persona_id: PersonaId(id),
        to,
    };
    state.execute(ctx, &command).await?;
    get(state, Kind::Persona, id).ok_or_else(|| not_found(Kind::Persona))
}
