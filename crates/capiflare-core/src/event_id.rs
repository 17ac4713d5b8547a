//! Event ids: the key Meta deduplicates the Pixel and the Conversions API copies of one event on
//! (`event_name` + `event_id`, 48 hours). Both channels must carry the same id, so it is made once,
//! in the browser (or the worker for server events), from 16 random bytes the shell provides.

use alloc::string::String;
const HEX: &[u8; 16] = b"0123456789abcdef";

/// The longest event id [`is_valid`] accepts, in bytes.
pub const MAX_LEN: usize = 100;

/// Formats 16 random bytes as a version 4 UUID (RFC 9562, formerly RFC 4122): the version nibble
/// set to 4, the variant bits to `10`, lowercase hex in the 8-4-4-4-12 layout (36 chars).
///
/// The caller supplies the randomness (`crypto.getRandomValues` in the browser and the worker).
#[must_use]
pub fn from_random(bytes: [u8; 16]) -> String {
    let mut out = String::with_capacity(36);
    for (i, &byte) in bytes.iter().enumerate() {
        let b = match i {
            6 => (byte & 0x0f) | 0x40,
            8 => (byte & 0x3f) | 0x80,
            _ => byte,
        };
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        for nibble in [b >> 4, b & 0x0f] {
            if let Some(&c) = HEX.get(usize::from(nibble)) {
                out.push(char::from(c));
            }
        }
    }
    out
}

/// Whether an event id from outside (a site's `eventID`, a server event's `event_id`) is usable.
///
/// Meta accepts any string as `event_id`; capiflare accepts 1 to [`MAX_LEN`] (100) characters of
/// printable ASCII without whitespace (`!` through `~`). That covers UUIDs, order numbers and the
/// ids other tools generate, while keeping control characters, spaces, non-ASCII text and unbounded
/// values (which could carry personal data or bloat the ledger) out of the dedup key.
#[must_use]
pub fn is_valid(s: &str) -> bool {
    (1..=MAX_LEN).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_graphic())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn all_zero_and_all_ones() {
        assert_eq!(from_random([0; 16]), "00000000-0000-4000-8000-000000000000");
        assert_eq!(
            from_random([0xff; 16]),
            "ffffffff-ffff-4fff-bfff-ffffffffffff"
        );
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn validity() {
        assert!(is_valid("a"));
        assert!(!is_valid(""));
        assert!(!is_valid("a b"));
        assert!(is_valid(&"x".repeat(MAX_LEN)));
        assert!(!is_valid(&"x".repeat(MAX_LEN + 1)));
    }
}
