//! Two-factor sign-in's cryptography at the edge: TOTP (RFC 6238: SHA-1, six digits,
//! 30-second steps, one step either side for clock drift) through `totp-rs`, the
//! enrolment QR code through `qrcode`, and recovery codes (shown once, kept as hashes).

use rand::Rng;
use totp_rs::{Algorithm, Secret, TOTP};

use crate::auth::sha256_hex;

pub const STEP_SECONDS: u64 = 30;
pub const RECOVERY_CODES: usize = 10;

/// A new secret: 160 random bits, base32 as authenticator apps take it.
pub fn new_secret() -> String {
    let bytes: [u8; 20] = rand::thread_rng().gen();
    match Secret::Raw(bytes.to_vec()).to_encoded() {
        Secret::Encoded(s) => s,
        Secret::Raw(_) => unreachable!("to_encoded gives an encoded secret"),
    }
}

fn totp(secret: &str) -> Option<TOTP> {
    let bytes = Secret::Encoded(secret.to_string()).to_bytes().ok()?;
    TOTP::new(Algorithm::SHA1, 6, 1, STEP_SECONDS, bytes).ok()
}

/// A code as typed: six digits, spaces allowed.
pub fn looks_like_code(typed: &str) -> bool {
    let digits: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit())
}

/// The time-step whose code `typed` is (this step or one either side), if any.
pub fn matching_step(secret: &str, typed: &str, unix_now: u64) -> Option<i64> {
    let code: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    if !looks_like_code(&code) {
        return None;
    }
    let t = totp(secret)?;
    [unix_now.saturating_sub(STEP_SECONDS), unix_now, unix_now + STEP_SECONDS]
        .into_iter()
        .find(|at| constant_eq(t.generate(*at).as_bytes(), code.as_bytes()))
        .map(|at| (at / STEP_SECONDS) as i64)
}

/// A key as the enrolment form sends it back: base32, at least 160 bits.
pub fn plausible_secret(secret: &str) -> bool {
    secret.len() >= 32 && secret.bytes().all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b))
}

/// Setting two-factor up: the key the form carried (a new one if it was not a key) and
/// the time-step of the first code typed for it, or what to tell the person.
pub fn first_code(secret: &str, typed: &str, unix_now: u64) -> (String, Result<i64, &'static str>) {
    let secret = secret.trim();
    if !plausible_secret(secret) {
        return (new_secret(), Err("The code is not right: check the app shows this account, then enter the code it shows now"));
    }
    let step = match matching_step(secret, typed, unix_now) {
        Some(step) => Ok(step),
        None if typed.trim().is_empty() => Err("Enter the code your authenticator app shows"),
        None => Err("The code is not right: check the app shows this account, then enter the code it shows now"),
    };
    (secret.to_string(), step)
}

/// The code for `unix_time` (for tests, and for nothing else).
pub fn code_at(secret: &str, unix_time: u64) -> String {
    totp(secret).map(|t| t.generate(unix_time)).unwrap_or_default()
}

fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The `otpauth://` address an authenticator app reads from the QR code.
pub fn otpauth_url(issuer: &str, account: &str, secret: &str) -> String {
    let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>().replace('+', "%20");
    format!("otpauth://totp/{}:{}?secret={secret}&issuer={}&algorithm=SHA1&digits=6&period={STEP_SECONDS}", enc(issuer), enc(account), enc(issuer))
}

/// The QR code of `text` as an SVG image (dark on light, with its quiet zone).
pub fn qr_svg(text: &str) -> Option<String> {
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    Some(
        code.render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(200, 200)
            .dark_color(qrcode::render::svg::Color("#0b0c0c"))
            .light_color(qrcode::render::svg::Color("#ffffff"))
            .build(),
    )
}

/// Ten recovery codes like `k7mq-2xpa-9dwe` (60 random bits each), to be shown once.
pub fn new_recovery_codes() -> Vec<String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::thread_rng();
    (0..RECOVERY_CODES)
        .map(|_| {
            let s: String = (0..12).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect();
            format!("{}-{}-{}", &s[0..4], &s[4..8], &s[8..12])
        })
        .collect()
}

/// A recovery code's hash, for account `user` (so equal codes of two accounts differ).
pub fn recovery_hash(user: i64, typed: &str) -> String {
    let code: String = typed.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect();
    sha256_hex(&format!("assure-recovery:{user}:{code}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_matches_its_step_and_the_steps_either_side_only() {
        let s = new_secret();
        let now = 1_780_000_000;
        let code = code_at(&s, now);
        assert_eq!(matching_step(&s, &code, now), Some((now / 30) as i64));
        assert_eq!(matching_step(&s, &format!("{} {}", &code[..3], &code[3..]), now), Some((now / 30) as i64), "spaces are fine");
        assert!(matching_step(&s, &code, now + 30).is_some(), "a code just gone is still taken");
        assert!(matching_step(&s, &code, now + 95).is_none(), "not one from minutes ago");
        assert!(matching_step(&s, "12345", now).is_none() && matching_step(&s, "abcdef", now).is_none());
    }

    #[test]
    fn recovery_codes_are_distinct_and_their_hashes_ignore_how_they_are_typed() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        assert_eq!(codes.iter().collect::<std::collections::HashSet<_>>().len(), 10);
        assert_eq!(recovery_hash(3, &codes[0]), recovery_hash(3, &codes[0].to_uppercase().replace('-', " ")));
        assert_ne!(recovery_hash(3, &codes[0]), recovery_hash(4, &codes[0]));
    }

    #[test]
    fn the_qr_code_carries_the_otpauth_address() {
        let url = otpauth_url("Assure (Example Council)", "a.b@example.org", "JBSWY3DPEHPK3PXP");
        assert!(url.starts_with("otpauth://totp/Assure%20%28Example%20Council%29:a.b%40example.org?secret=JBSWY3DPEHPK3PXP"), "{url}");
        assert!(qr_svg(&url).unwrap().starts_with("<?xml"));
    }
}
