//! Security headers on every response.

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderValue, Request};
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;

pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The policy of a page that carries one `<style>` element of its own (the
/// report's print view, self-contained so it prints from disk): [`CSP`] with
/// that element's text allowed by its SHA-256 hash and nothing else inline.
pub fn csp_with_style(style: &str) -> String {
    use sha2::Digest;
    let hash = base64(&sha2::Sha256::digest(style.as_bytes()));
    CSP.replace("style-src 'self'", &format!("style-src 'self' 'sha256-{hash}'"))
}

/// Standard base64 with padding (RFC 4648), as CSP hash sources are written.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

pub async fn headers(State(state): State<AppState>, req: Request<Body>, next: Next) -> Response {
    let is_asset = req.uri().path().starts_with("/assets/");
    // The public site's successful answers say for themselves how long they may be kept
    // (see `public::cacheable`); its errors are not kept.
    let public_site = req.uri().path() == "/public" || req.uri().path().starts_with("/public/") || req.uri().path().starts_with("/oparl/");
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    // A handler may have set a stricter-or-equal policy of its own (see
    // [`csp_with_style`]); every other response gets the site's.
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    }
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert("permissions-policy", HeaderValue::from_static("camera=(), microphone=(), geolocation=(), interest-cohort=()"));
    h.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    let kept = is_asset || (public_site && h.contains_key(header::CACHE_CONTROL));
    if !kept {
        // Pages may show sensitive records: never cache them.
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if state.config.https {
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_is_the_standard_alphabet_with_padding() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64(&[0xfb, 0xff]), "+/8=");
    }

    #[test]
    fn the_style_hash_is_added_to_the_style_source_only() {
        let csp = csp_with_style("body { color: red; }");
        assert!(csp.starts_with("default-src 'self'; script-src 'self'; style-src 'self' 'sha256-"), "{csp}");
        assert!(!csp.contains("unsafe-inline"));
    }
}
