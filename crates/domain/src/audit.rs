//! The audit trail's integrity rule: each entry's hash covers its own content,
//! its position and the previous entry's hash, so editing, deleting or
//! reordering any row breaks the chain from that row on.
//!
//! The hash is keyed (HMAC-SHA-256 with a secret kept outside the database, see
//! [`Keyring`]), so someone who can write to the database but does not hold the key
//! cannot rewrite a row and recompute the hashes after it. Each entry names the key
//! it was made with, so keys can be rotated (the rotation is itself an entry). And the
//! head of the chain is written elsewhere from time to time as an [`Anchor`], signed
//! with the key: cutting entries off the end, or rewriting the chain even with the
//! key, no longer matches the anchors already written.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// One audit key: its public id (stored with each entry) and its secret.
#[derive(Clone, PartialEq, Eq)]
pub struct AuditKey {
    pub id: String,
    secret: Vec<u8>,
}

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditKey").field("id", &self.id).finish_non_exhaustive()
    }
}

impl AuditKey {
    /// A key from its secret; its id is derived from the secret (so a line naming a
    /// wrong id is caught when the keyring is read).
    pub fn from_secret(secret: Vec<u8>) -> AuditKey {
        let mut h = Sha256::new();
        h.update(b"assure audit key id\n");
        h.update(&secret);
        AuditKey { id: hex::encode(&h.finalize()[..8]), secret }
    }

    fn mac(&self, message: &[u8]) -> String {
        let mut m = HmacSha256::new_from_slice(&self.secret).expect("HMAC takes a key of any length");
        m.update(message);
        hex::encode(m.finalize().into_bytes())
    }
}

/// The audit keys, oldest first; the last is the one new entries are made with.
/// Written one key a line: `<id> <secret in hex>`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Keyring {
    keys: Vec<AuditKey>,
}

impl Keyring {
    /// Read a keyring; a line that is not `<id> <hex secret>` (or a lone hex secret),
    /// or whose id does not match its secret, is refused.
    pub fn parse(text: &str) -> Result<Keyring, String> {
        let mut keys = Vec::new();
        for (i, line) in text.lines().map(str::trim).enumerate().filter(|(_, l)| !l.is_empty() && !l.starts_with('#')) {
            let (id, secret) = match line.split_once(char::is_whitespace) {
                Some((id, secret)) => (Some(id), secret.trim()),
                None => (None, line),
            };
            let secret = hex::decode(secret).map_err(|_| format!("line {}: the key is not hexadecimal", i + 1))?;
            if secret.len() < 16 {
                return Err(format!("line {}: the key is shorter than 16 bytes", i + 1));
            }
            let key = AuditKey::from_secret(secret);
            if id.is_some_and(|id| id != key.id) {
                return Err(format!("line {}: the key's id does not match the key", i + 1));
            }
            keys.push(key);
        }
        if keys.is_empty() {
            return Err("there is no key".into());
        }
        Ok(Keyring { keys })
    }

    /// The text [`Keyring::parse`] reads.
    pub fn to_text(&self) -> String {
        self.keys.iter().map(|k| format!("{} {}\n", k.id, hex::encode(&k.secret))).collect()
    }

    /// A keyring of one new key from `secret` (32 random bytes, made by the caller).
    pub fn new(secret: Vec<u8>) -> Keyring {
        Keyring { keys: vec![AuditKey::from_secret(secret)] }
    }

    /// Add a new current key; the earlier ones still verify the entries they made.
    pub fn rotate(&mut self, secret: Vec<u8>) -> &AuditKey {
        self.keys.push(AuditKey::from_secret(secret));
        self.current()
    }

    pub fn current(&self) -> &AuditKey {
        self.keys.last().expect("a keyring has a key")
    }

    pub fn get(&self, id: &str) -> Option<&AuditKey> {
        self.keys.iter().find(|k| k.id == id)
    }
}

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
    /// The audit key the hash was made with; empty for entries written before the
    /// chain was keyed (plain SHA-256).
    pub key_id: String,
    pub hash: String,
}

impl AuditEntry {
    /// The hash this entry should carry, given its content and `prev_hash`: HMAC-SHA-256
    /// with `key` (whose id must be this entry's `key_id`), or for an entry from before
    /// the chain was keyed (`key` None), plain SHA-256.
    pub fn compute_hash_with(&self, key: Option<&AuditKey>) -> String {
        match key {
            None => self.compute_hash(),
            Some(k) => {
                let mut message = self.message();
                message.extend((k.id.len() as u64).to_be_bytes());
                message.extend(k.id.as_bytes());
                k.mac(&message)
            }
        }
    }

    /// The unkeyed hash of entries written before the chain was keyed.
    pub fn compute_hash(&self) -> String {
        hex::encode(Sha256::digest(self.message()))
    }

    fn message(&self) -> Vec<u8> {
        let mut h = Vec::new();
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
            h.extend((field.len() as u64).to_be_bytes());
            h.extend(field.as_bytes());
        }
        h
    }
}

/// The head of the chain as written outside the database: after `seq` entries the
/// newest had `hash`, at `at`; signed with the key `key_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    pub seq: i64,
    pub hash: String,
    pub at: String,
    pub key_id: String,
    pub mac: String,
}

impl Anchor {
    pub fn new(seq: i64, hash: &str, at: &str, key: &AuditKey) -> Anchor {
        let mut a = Anchor { seq, hash: hash.to_string(), at: at.to_string(), key_id: key.id.clone(), mac: String::new() };
        a.mac = key.mac(a.signed().as_bytes());
        a
    }

    fn signed(&self) -> String {
        format!("assure-audit-anchor seq={} hash={} at={} key={}", self.seq, self.hash, self.at, self.key_id)
    }

    /// One line of the anchors file.
    pub fn line(&self) -> String {
        format!("{} mac={}", self.signed(), self.mac)
    }

    pub fn parse(line: &str) -> Option<Anchor> {
        let rest = line.trim().strip_prefix("assure-audit-anchor ")?;
        let mut a = Anchor { seq: 0, hash: String::new(), at: String::new(), key_id: String::new(), mac: String::new() };
        for part in rest.split(' ') {
            let (k, v) = part.split_once('=')?;
            match k {
                "seq" => a.seq = v.parse().ok()?,
                "hash" => a.hash = v.to_string(),
                "at" => a.at = v.to_string(),
                "key" => a.key_id = v.to_string(),
                "mac" => a.mac = v.to_string(),
                _ => return None,
            }
        }
        Some(a)
    }

    /// Whether the signature holds under the key it names.
    pub fn signed_by(&self, keys: &Keyring) -> bool {
        keys.get(&self.key_id).is_some_and(|k| k.mac(self.signed().as_bytes()) == self.mac)
    }
}

/// The anchors read from a file, checked against the chain as it is walked.
#[derive(Debug, Clone, Default)]
pub struct Anchors {
    by_seq: std::collections::BTreeMap<i64, Vec<Anchor>>,
    count: usize,
}

impl Anchors {
    /// Read an anchors file: every non-blank line must be an anchor signed with a key
    /// in `keys`.
    pub fn parse(text: &str, keys: &Keyring) -> Result<Anchors, AnchorBreak> {
        let mut out = Anchors::default();
        for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let a = Anchor::parse(line).filter(|a| a.signed_by(keys)).ok_or(AnchorBreak::Forged { line: i + 1 })?;
            out.by_seq.entry(a.seq).or_default().push(a);
            out.count += 1;
        }
        Ok(out)
    }

    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The newest anchor (the highest position).
    pub fn last(&self) -> Option<&Anchor> {
        self.by_seq.values().next_back().and_then(|v| v.last())
    }

    /// An entry of the chain, in order: it must be the one each anchor at its
    /// position recorded.
    pub fn check(&self, seq: i64, hash: &str) -> Result<(), AnchorBreak> {
        match self.by_seq.get(&seq).and_then(|v| v.iter().find(|a| a.hash != hash)) {
            Some(a) => Err(AnchorBreak::Rewritten { anchor_at: a.at.clone(), seq }),
            None => Ok(()),
        }
    }

    /// After the last entry: no anchor may lie beyond it (an anchor at 0 is an empty log).
    pub fn finish(&self, last_seq: i64) -> Result<usize, AnchorBreak> {
        if let Some((seq, v)) = self.by_seq.range(last_seq + 1..).next() {
            return Err(AnchorBreak::Truncated { anchor_at: v[0].at.clone(), anchored_seq: *seq, last_seq });
        }
        Ok(self.count)
    }
}

/// Why the anchors and the chain disagree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnchorBreak {
    /// A line of the anchors file is not an anchor, or its signature does not hold.
    Forged { line: usize },
    /// The chain ends before an anchor's entry: entries were cut off the end.
    Truncated { anchor_at: String, anchored_seq: i64, last_seq: i64 },
    /// The chain's entry at an anchor's position is not the one anchored: the chain
    /// was rewritten (even if its hashes were recomputed).
    Rewritten { anchor_at: String, seq: i64 },
}

impl std::fmt::Display for AnchorBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AnchorBreak::Forged { line } => write!(f, "anchor on line {line} is not signed with an audit key: the anchors file was altered"),
            AnchorBreak::Truncated { anchor_at, anchored_seq, last_seq } => write!(
                f,
                "the log ends at entry {last_seq}, but the anchor written at {anchor_at} recorded {anchored_seq} entries: entries were deleted from the end"
            ),
            AnchorBreak::Rewritten { anchor_at, seq } => write!(
                f,
                "audit entry {seq} is not the entry anchored at {anchor_at}: the log was rewritten from that entry or before"
            ),
        }
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
    /// The entry names an audit key this installation does not hold.
    UnknownKey { seq: i64, key_id: String },
    /// An unkeyed entry after keyed ones (only entries from before the chain was keyed
    /// may be unkeyed).
    Unkeyed { seq: i64 },
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
            ChainBreak::UnknownKey { seq, key_id } => write!(
                f,
                "audit entry {seq} was made with the audit key {key_id}, which is not in this installation's keyring (give the keyring that made it, or the entry was forged)"
            ),
            ChainBreak::Unkeyed { seq } => write!(f, "audit entry {seq} has no keyed hash although earlier entries do: it was forged or rewritten"),
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
    keys: Keyring,
    keyed: bool,
}

impl Default for ChainVerifier {
    /// A verifier with no keys: only an unkeyed chain verifies.
    fn default() -> Self {
        Self::new(Keyring::default())
    }
}

impl ChainVerifier {
    pub fn new(keys: Keyring) -> Self {
        Self { expected_seq: 1, prev_hash: GENESIS.to_string(), keys, keyed: false }
    }

    pub fn check(&mut self, e: &AuditEntry) -> Result<(), ChainBreak> {
        if e.seq != self.expected_seq {
            return Err(ChainBreak::Gap { expected_seq: self.expected_seq, found_seq: e.seq });
        }
        let key = if e.key_id.is_empty() {
            if self.keyed {
                return Err(ChainBreak::Unkeyed { seq: e.seq });
            }
            None
        } else {
            self.keyed = true;
            Some(self.keys.get(&e.key_id).ok_or_else(|| ChainBreak::UnknownKey { seq: e.seq, key_id: e.key_id.clone() })?)
        };
        if e.compute_hash_with(key) != e.hash {
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
                    key_id: String::new(),
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

    fn keyed_chain(keys: &Keyring, n: i64) -> Vec<AuditEntry> {
        let mut c = chain(n);
        let mut prev = GENESIS.to_string();
        for e in c.iter_mut() {
            e.prev_hash = prev.clone();
            e.key_id = keys.current().id.clone();
            e.hash = e.compute_hash_with(Some(keys.current()));
            prev = e.hash.clone();
        }
        c
    }

    fn verify_with(keys: &Keyring, entries: &[AuditEntry]) -> Result<i64, ChainBreak> {
        let mut v = ChainVerifier::new(keys.clone());
        for e in entries {
            v.check(e)?;
        }
        Ok(v.verified())
    }

    #[test]
    fn a_keyed_chain_cannot_be_recomputed_without_the_key() {
        let keys = Keyring::new(vec![7; 32]);
        let mut c = keyed_chain(&keys, 4);
        assert_eq!(verify_with(&keys, &c), Ok(4));
        // Rewrite entry 2 and recompute every later hash, as plain SHA-256 or with a
        // key of one's own: neither verifies.
        c[1].detail = "rewritten".into();
        let mut forged = c.clone();
        let mut prev = forged[0].hash.clone();
        for e in forged.iter_mut().skip(1) {
            e.prev_hash = prev.clone();
            e.hash = e.compute_hash();
            prev = e.hash.clone();
        }
        assert_eq!(verify_with(&keys, &forged), Err(ChainBreak::ContentChanged { seq: 2 }));
        let other = Keyring::new(vec![8; 32]);
        let mut prev = c[0].hash.clone();
        for e in c.iter_mut().skip(1) {
            e.prev_hash = prev.clone();
            e.hash = e.compute_hash_with(Some(other.current()));
            prev = e.hash.clone();
        }
        assert_eq!(verify_with(&keys, &c), Err(ChainBreak::ContentChanged { seq: 2 }));
        // Stripping the key from later entries is refused too.
        let mut c = keyed_chain(&keys, 3);
        c[2].key_id = String::new();
        c[2].hash = c[2].compute_hash();
        assert_eq!(verify_with(&keys, &c), Err(ChainBreak::Unkeyed { seq: 3 }));
    }

    #[test]
    fn a_rotated_keyring_verifies_entries_of_both_keys() {
        let mut keys = Keyring::new(vec![1; 32]);
        let mut c = keyed_chain(&keys, 2);
        keys.rotate(vec![2; 32]);
        let mut e = c[1].clone();
        e.seq = 3;
        e.prev_hash = c[1].hash.clone();
        e.key_id = keys.current().id.clone();
        e.hash = e.compute_hash_with(Some(keys.current()));
        c.push(e);
        assert_eq!(verify_with(&keys, &c), Ok(3));
        let parsed = Keyring::parse(&keys.to_text()).unwrap();
        assert_eq!(parsed, keys);
        assert!(Keyring::parse("0000000000000000 0101010101010101010101010101010101010101010101010101010101010101").is_err());
        let old = Keyring::new(vec![1; 32]);
        assert!(matches!(verify_with(&old, &c), Err(ChainBreak::UnknownKey { seq: 3, .. })));
    }

    #[test]
    fn anchors_find_truncation_and_rewrites_and_forgery() {
        let keys = Keyring::new(vec![3; 32]);
        let c = keyed_chain(&keys, 5);
        let text =
            format!("{}\n{}\n", Anchor::new(3, &c[2].hash, "t1", keys.current()).line(), Anchor::new(5, &c[4].hash, "t2", keys.current()).line());
        let anchors = Anchors::parse(&text, &keys).unwrap();
        assert_eq!(anchors.len(), 2);
        for e in &c {
            anchors.check(e.seq, &e.hash).unwrap();
        }
        assert_eq!(anchors.finish(5), Ok(2));
        assert_eq!(anchors.finish(4), Err(AnchorBreak::Truncated { anchor_at: "t2".into(), anchored_seq: 5, last_seq: 4 }));
        assert_eq!(anchors.check(3, "other"), Err(AnchorBreak::Rewritten { anchor_at: "t1".into(), seq: 3 }));
        let forged = text.replace("seq=5", "seq=4");
        assert_eq!(Anchors::parse(&forged, &keys).unwrap_err(), AnchorBreak::Forged { line: 2 });
    }
}
