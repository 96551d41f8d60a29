//! The audit trail's integrity rule: each entry's hash covers its own content,
//! its position and the previous entry's hash, so editing, deleting or
//! reordering any row breaks the chain from that row on.

use sha2::{Digest, Sha256};

/// The hash that stands before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Position in the log (1, 2, 3 ...), assigned when appended.
    pub seq: i64,
    /// RFC 3339 UTC time of the event.
    pub at: String,
    pub actor_user_id: Option<i64>,
    /// Who, as shown to people (an e-mail address, or "system").
    pub actor: String,
    /// What happened, e.g. "recommendation.update", "user.login".
    pub action: String,
    pub record_type: String,
    pub record_id: String,
    /// A short description of the change. Never a child's personal data.
    pub detail: String,
    /// Where from (client address), when known.
    pub ip: String,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditEntry {
    /// The hash this entry should carry, given its content and `prev_hash`.
    pub fn compute_hash(&self) -> String {
        let mut h = Sha256::new();
        let actor_id = self.actor_user_id.map(|i| i.to_string()).unwrap_or_default();
        let seq = self.seq.to_string();
        for field in [
            self.prev_hash.as_str(),
            seq.as_str(),
            self.at.as_str(),
            actor_id.as_str(),
            self.actor.as_str(),
            self.action.as_str(),
            self.record_type.as_str(),
            self.record_id.as_str(),
            self.detail.as_str(),
            self.ip.as_str(),
        ] {
            // Length-prefix every field so that moving text between fields changes the hash.
            h.update((field.len() as u64).to_be_bytes());
            h.update(field.as_bytes());
        }
        hex::encode(h.finalize())
    }
}

/// Why the chain is broken, naming the first bad entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainBreak {
    /// The entry's content no longer matches its hash (edited).
    ContentChanged { seq: i64 },
    /// The entry does not follow the one before it (a row deleted, inserted or moved).
    LinkBroken { seq: i64, expected_prev: String },
    /// Positions are not consecutive (a row deleted or moved).
    Gap { expected_seq: i64, found_seq: i64 },
    /// The log ends before the newest entry that was recorded (entries cut off the end).
    Truncated { last_seq: i64, recorded_seq: i64 },
}

impl std::fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChainBreak::ContentChanged { seq } => {
                write!(f, "audit entry {seq} has been altered: its content does not match its hash")
            }
            ChainBreak::LinkBroken { seq, .. } => write!(
                f,
                "audit entry {seq} does not follow the entry before it: an entry was deleted, inserted or reordered"
            ),
            ChainBreak::Truncated { last_seq, recorded_seq } => write!(
                f,
                "audit entry {} is missing: the log ends at entry {last_seq} but entry {recorded_seq} was recorded; entries were deleted from the end",
                last_seq + 1
            ),
            ChainBreak::Gap { expected_seq, found_seq } => write!(
                f,
                "audit entry {expected_seq} is missing (found entry {found_seq} in its place): entries were deleted or reordered"
            ),
        }
    }
}

/// Streaming verifier: feed entries in log order.
pub struct ChainVerifier {
    expected_seq: i64,
    prev_hash: String,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self { expected_seq: 1, prev_hash: GENESIS.to_string() }
    }
}

impl ChainVerifier {
    pub fn check(&mut self, e: &AuditEntry) -> Result<(), ChainBreak> {
        if e.seq != self.expected_seq {
            return Err(ChainBreak::Gap { expected_seq: self.expected_seq, found_seq: e.seq });
        }
        if e.compute_hash() != e.hash {
            return Err(ChainBreak::ContentChanged { seq: e.seq });
        }
        if e.prev_hash != self.prev_hash {
            return Err(ChainBreak::LinkBroken { seq: e.seq, expected_prev: self.prev_hash.clone() });
        }
        self.expected_seq += 1;
        self.prev_hash = e.hash.clone();
        Ok(())
    }

    pub fn verified(&self) -> i64 {
        self.expected_seq - 1
    }

    /// After the last entry: compare with the newest entry recorded separately.
    pub fn finish(&self, recorded: Option<(i64, &str)>) -> Result<i64, ChainBreak> {
        if let Some((seq, hash)) = recorded {
            if seq != self.verified() || hash != self.prev_hash {
                return Err(ChainBreak::Truncated { last_seq: self.verified(), recorded_seq: seq });
            }
        }
        Ok(self.verified())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditEntry> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|seq| {
                let mut e = AuditEntry {
                    seq,
                    at: format!("2026-11-23T10:00:{seq:02}Z"),
                    actor_user_id: Some(1),
                    actor: "scrutiny-officer@example.org".into(),
                    action: "recommendation.update".into(),
                    record_type: "recommendation".into(),
                    record_id: seq.to_string(),
                    detail: format!("change {seq}"),
                    ip: "127.0.0.1".into(),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                e.hash = e.compute_hash();
                prev = e.hash.clone();
                e
            })
            .collect()
    }

    fn verify(entries: &[AuditEntry]) -> Result<i64, ChainBreak> {
        let mut v = ChainVerifier::default();
        for e in entries {
            v.check(e)?;
        }
        Ok(v.verified())
    }

    #[test]
    fn intact_chain_verifies() {
        assert_eq!(verify(&chain(5)), Ok(5));
    }

    #[test]
    fn edited_entry_is_named() {
        let mut c = chain(5);
        c[2].detail = "nothing to see".into();
        assert_eq!(verify(&c), Err(ChainBreak::ContentChanged { seq: 3 }));
    }

    #[test]
    fn deleted_entry_is_found() {
        let mut c = chain(5);
        c.remove(1);
        assert!(matches!(verify(&c), Err(ChainBreak::Gap { expected_seq: 2, found_seq: 3 })));
    }

    #[test]
    fn entries_cut_off_the_end_are_found() {
        let c = chain(5);
        let mut v = ChainVerifier::default();
        for e in &c[..3] {
            v.check(e).unwrap();
        }
        assert_eq!(v.finish(Some((5, &c[4].hash))), Err(ChainBreak::Truncated { last_seq: 3, recorded_seq: 5 }));
        let mut v = ChainVerifier::default();
        for e in &c {
            v.check(e).unwrap();
        }
        assert_eq!(v.finish(Some((5, &c[4].hash))), Ok(5));
    }

    #[test]
    fn reordered_entries_are_found() {
        let mut c = chain(5);
        c.swap(1, 2);
        assert!(verify(&c).is_err());
        // Even renumbering the swapped rows to hide the gap breaks the hash.
        let mut c = chain(5);
        c.swap(1, 2);
        c[1].seq = 2;
        c[2].seq = 3;
        assert_eq!(verify(&c), Err(ChainBreak::ContentChanged { seq: 2 }));
    }

    #[test]
    fn moving_text_between_fields_changes_the_hash() {
        let c = chain(1);
        let mut e = c[0].clone();
        e.detail = format!("{}x", e.detail);
        e.ip = e.ip[..e.ip.len()].to_string();
        assert_ne!(e.compute_hash(), c[0].hash);
    }
}
