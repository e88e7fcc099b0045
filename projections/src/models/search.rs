//! The search text of every user in one buffer: each user's case-folded username, display
//! name and email, one after another. A search is then one SIMD substring scan over contiguous
//! memory, instead of three reads from scattered heap blocks per user; at 100,000 users that
//! is the difference between tens of milliseconds and one.
//!
//! The buffer only grows: a profile change appends the user's new text, a deletion leaves the
//! old text in place. An entry is current only while its user's view points at it, and the
//! buffer is rebuilt from the current entries once a quarter of them are stale.

/// Ends every field in the buffer. No field holds one (names and addresses have no control
/// characters), and a needle that holds one matches nothing, so no match spans two fields.
pub(crate) const SEPARATOR: u8 = b'\n';

/// The folded text of users, and where each entry starts.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct SearchText {
    text: Vec<u8>,
    /// Per entry: where its text starts, and the slot (an index into the users' creation
    /// order) of the user it belongs to. Starts only grow.
    entries: Vec<(u32, u32)>,
    /// Entries no view points at any more.
    stale: usize,
}

/// A current entry found by a search: the user's slot, and the entry itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Hit {
    pub slot: u32,
    pub entry: u32,
}

impl SearchText {
    /// Appends the folded `fields` of the user in `slot`; the new entry's number.
    pub(crate) fn push(&mut self, slot: u32, fields: [&str; 3]) -> u32 {
        let entry = u32::try_from(self.entries.len()).unwrap_or(u32::MAX);
        let start = u32::try_from(self.text.len()).unwrap_or(u32::MAX);
        // Grown by a quarter at a time rather than doubled: the text is kept per user, and
        // half of a doubled buffer would be a tenth of what a user costs in all.
        let needed: usize = fields.iter().map(|field| field.len() + 1).sum();
        if self.text.capacity() - self.text.len() < needed {
            self.text
                .reserve_exact(needed.max(self.text.capacity() / 4));
        }
        if self.entries.len() == self.entries.capacity() {
            self.entries
                .reserve_exact((self.entries.capacity() / 4).max(64));
        }
        self.entries.push((start, slot));
        for field in fields {
            if field.is_ascii() {
                self.text
                    .extend(field.bytes().map(|byte| byte.to_ascii_lowercase()));
            } else {
                let mut utf8 = [0; 4];
                for c in super::users::fold_case(field) {
                    self.text
                        .extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
                }
            }
            self.text.push(SEPARATOR);
        }
        entry
    }

    /// Counts an entry as no longer current.
    pub(crate) fn retire(&mut self) {
        self.stale += 1;
    }

    /// Whether a quarter of the buffer is stale and it should be rebuilt: it is kept per
    /// user, so a third more than the current text is as much as it may carry.
    pub(crate) fn wants_rebuild(&self) -> bool {
        self.stale > 64 && self.stale * 4 > self.entries.len()
    }

    /// Empties the buffer for a rebuild.
    pub(crate) fn clear(&mut self) {
        self.text.clear();
        self.entries.clear();
        self.stale = 0;
    }

    /// Gives back spare capacity after a rebuild.
    pub(crate) fn shrink(&mut self) {
        self.text.shrink_to_fit();
        self.entries.shrink_to_fit();
    }

    /// How many entries there are, current or stale.
    #[cfg(test)]
    pub(crate) fn entries_len(&self) -> usize {
        self.entries.len()
    }

    /// Every entry whose text contains the folded `needle`, each once, in entry order; the
    /// caller keeps those that are still current.
    pub(crate) fn find(&self, needle: &str) -> Vec<Hit> {
        let mut hits: Vec<Hit> = Vec::new();
        if needle.is_empty() || needle.as_bytes().contains(&SEPARATOR) {
            return hits;
        }
        let finder = memchr::memmem::Finder::new(needle.as_bytes());
        let mut entry = 0usize;
        for found in finder.find_iter(&self.text) {
            // Matches come in order, so the entry holding each is found by walking forward.
            while self
                .entries
                .get(entry + 1)
                .is_some_and(|(start, _)| *start as usize <= found)
            {
                entry += 1;
            }
            let Some(&(_, slot)) = self.entries.get(entry) else {
                break;
            };
            let entry = u32::try_from(entry).unwrap_or(u32::MAX);
            if hits.last().is_none_or(|last| last.entry != entry) {
                hits.push(Hit { slot, entry });
            }
        }
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_should_find_each_entry_once_and_never_across_fields() {
        let mut text = SearchText::default();
        text.push(0, ["ann", "Ann Lee", "ann@example.org"]);
        text.push(1, ["bob", "Bob Annan", ""]);
        text.push(2, ["ΟΔΟΣ", "", ""]);
        let slots =
            |needle: &str| -> Vec<u32> { text.find(needle).iter().map(|h| h.slot).collect() };
        assert_eq!(slots("ann"), [0, 1]);
        assert_eq!(slots("lee"), [0]);
        assert_eq!(slots("οδοσ"), [2]);
        assert_eq!(slots("leeann"), Vec::<u32>::new(), "no match across fields");
        assert_eq!(slots("lee\nann"), Vec::<u32>::new());
        assert_eq!(slots(""), Vec::<u32>::new());
    }
}
