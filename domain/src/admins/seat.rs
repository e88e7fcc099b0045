//! The one decision about this aggregate, made inside the user commands that take an
//! administrator's seat away (revoke, disable, delete).

use super::AdminsEvent;
use crate::decision::Loaded;
use crate::event::Event;
use crate::user::{User, UserError};

/// The event that takes `user`'s seat among the enabled administrators, if they hold one;
/// refused when they are the last.
pub(crate) fn give_up_seat(loaded: &Loaded, user: &User) -> Result<Option<Event>, UserError> {
    if !user.is_active_admin() {
        return Ok(None);
    }
    let admins = loaded.admins();
    let others = admins.ids.iter().filter(|id| **id != user.id).count();
    if others == 0 {
        return Err(UserError::LastActiveAdmin);
    }
    Ok(Some(Event::Admins(AdminsEvent::Removed {
        user_id: user.id,
    })))
}
