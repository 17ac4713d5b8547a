//! Small string helpers that keep the browser module small. Substring search byte by byte:
//! `str::find`, `contains`, `split_once` and `trim_*_matches` with a string pattern bring the
//! standard library's two-way searcher and its panic paths into the module; these loops give the
//! same answers for a fraction of its size. [`cat`] and [`push_decimal`] stand in for `concat`
//! and `to_string`, which bring a generic join per use and the formatting machinery.

use alloc::string::String;
use alloc::vec::Vec;

/// `s.split(sep)` for an ASCII separator (see [`Split`]).
pub(crate) fn split(s: &str, sep: u8) -> Split<'_> {
    Split { rest: Some(s), sep }
}

/// `str::split` and `rsplit` on one ASCII byte: the standard library's character search brings
/// `memchr` and its panic paths. The separator is found by plain index loops: `position` and
/// `rposition` on the bytes compiled to several times their size in the module.
pub(crate) struct Split<'a> {
    rest: Option<&'a str>,
    sep: u8,
}

impl<'a> Iterator for Split<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let rest = self.rest?;
        let bytes = rest.as_bytes();
        let mut i = 0;
        while bytes.get(i).is_some_and(|&b| b != self.sep) {
            i += 1;
        }
        if i < bytes.len() {
            self.rest = rest.get(i + 1..);
            rest.get(..i)
        } else {
            self.rest.take()
        }
    }
}

impl DoubleEndedIterator for Split<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        let rest = self.rest?;
        let bytes = rest.as_bytes();
        let mut i = bytes.len();
        while i > 0 && bytes.get(i - 1).is_some_and(|&b| b != self.sep) {
            i -= 1;
        }
        if i > 0 {
            self.rest = rest.get(..i - 1);
            rest.get(i..)
        } else {
            self.rest.take()
        }
    }
}

/// The words of one of the crate's word tables. The tables put exactly one space between words
/// (each module's tests check theirs with [`single_spaced`]), so the byte splitter gives what
/// `split_ascii_whitespace` would, and the module carries one splitter less.
pub(crate) fn table_words(table: &str) -> Split<'_> {
    split(table, b' ')
}

/// Whether `word` is one of the words of `table` (see [`table_words`]).
pub(crate) fn in_table(table: &str, word: &str) -> bool {
    table_words(table).any(|w| w == word)
}

/// Whether `table` is written as [`table_words`] needs: its words are those of
/// `split_ascii_whitespace`.
#[cfg(test)]
pub(crate) fn single_spaced(table: &str) -> bool {
    table_words(table).eq(table.split_ascii_whitespace())
}

/// The first parameter `name` of a URL's query string (`?a=1&b=2`, the `?` and a `#fragment`
/// optional), percent-decoded; `None` when absent, empty or not valid percent-encoded UTF-8.
pub(crate) fn query_param(query: &str, name: &str) -> Option<String> {
    let query = query.strip_prefix('?').unwrap_or(query);
    let query = split(query, b'#').next().unwrap_or_default();
    let raw = split(query, b'&').find_map(|pair| {
        let rest = pair.strip_prefix(name)?;
        if rest.is_empty() {
            Some("")
        } else {
            rest.strip_prefix('=')
        }
    })?;
    percent_decode(raw).filter(|v| !v.is_empty())
}

/// `s.split_once(sep)` for an ASCII separator.
pub fn split_once_at(s: &str, sep: u8) -> Option<(&str, &str)> {
    let mut parts = split(s, sep);
    let head = parts.next()?;
    Some((head, parts.rest?))
}

/// `s.rsplit_once(sep)` for an ASCII separator.
pub(crate) fn rsplit_once_at(s: &str, sep: u8) -> Option<(&str, &str)> {
    let mut parts = split(s, sep);
    let tail = parts.next_back()?;
    Some((parts.rest?, tail))
}

/// `parts.concat()`.
pub(crate) fn cat(parts: &[&str]) -> String {
    let mut out = String::new();
    for p in parts {
        out.push_str(p);
    }
    out
}

/// Appends `n` in decimal, as `n.to_string()` writes it.
pub fn push_decimal(out: &mut String, n: u64) {
    if n >= 10 {
        push_decimal(out, n / 10);
    }
    out.push(char::from(b'0' + (n % 10) as u8));
}

/// The byte index of the first occurrence of `needle` in `haystack`, as `haystack.find(needle)`.
pub(crate) fn find(haystack: &str, needle: &str) -> Option<usize> {
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    (0..=h.len().checked_sub(n.len())?).find(|&i| h.get(i..i + n.len()) == Some(n))
}

/// `haystack.contains(needle)`.
pub(crate) fn contains(haystack: &str, needle: &str) -> bool {
    find(haystack, needle).is_some()
}

/// `s.split_once(separator)`.
pub(crate) fn split_once<'a>(s: &'a str, separator: &str) -> Option<(&'a str, &'a str)> {
    let i = find(s, separator)?;
    Some((s.get(..i)?, s.get(i + separator.len()..)?))
}

/// Percent-decoding as `URLSearchParams` does (`+` is a space; a `%` not followed by two hex
/// digits is kept literally, as browsers do); `None` when the result is not UTF-8.
pub(crate) fn percent_decode(s: &str) -> Option<String> {
    let mut out = Vec::with_capacity(s.len());
    let mut bytes = s.bytes();
    while let Some(b) = bytes.next() {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let mut ahead = bytes.clone();
                if let (Some(hi), Some(lo)) = (
                    ahead.next().and_then(hex_value),
                    ahead.next().and_then(hex_value),
                ) {
                    out.push((hi << 4) | lo);
                    bytes = ahead;
                } else {
                    out.push(b'%'); // not an escape: kept literally, as browsers do
                }
            }
            _ => out.push(b),
        }
    }
    utf8(&out)
}

/// `String::from_utf8(bytes).ok()`, decoded by hand: the standard library's validator is several
/// times this size. Rejects what it rejects: stray or missing continuation bytes, overlong forms,
/// surrogates and code points above U+10FFFF.
fn utf8(bytes: &[u8]) -> Option<String> {
    let mut out = String::with_capacity(bytes.len());
    let mut it = bytes.iter().copied();
    while let Some(b) = it.next() {
        let (more, min, mut c) = match b {
            0x00..=0x7f => (0, 0, u32::from(b)),
            0xc0..=0xdf => (1, 0x80, u32::from(b & 0x1f)),
            0xe0..=0xef => (2, 0x800, u32::from(b & 0x0f)),
            0xf0..=0xf7 => (3, 0x1_0000, u32::from(b & 0x07)),
            _ => return None,
        };
        for _ in 0..more {
            let b = it.next().filter(|b| b & 0xc0 == 0x80)?;
            c = c << 6 | u32::from(b & 0x3f);
        }
        if c < min {
            return None;
        }
        out.push(char::from_u32(c)?);
    }
    Some(out)
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn utf8_as_the_standard_library() {
        let check = |b: &[u8]| assert_eq!(utf8(b), String::from_utf8(b.to_vec()).ok(), "{b:x?}");
        for a in 0..=255u8 {
            check(&[a]);
            for b in 0..=255u8 {
                check(&[a, b]);
                check(&[b'x', a, b, b'y']);
                if a >= 0xe0 {
                    for c in 0..=255u8 {
                        check(&[a, b, c]);
                        check(&[a, b, c, 0x80]);
                        check(&[a, b, c, 0xbf]);
                    }
                }
            }
        }
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn as_the_standard_library() {
        for (h, n) in [
            ("", ""),
            ("abc", ""),
            ("", "a"),
            ("https://x.y", "://"),
            ("a%40b%40", "%40"),
            ("ééa", "a"),
            ("aé", "é"),
            ("ab", "abc"),
        ] {
            assert_eq!(find(h, n), h.find(n), "{h:?} {n:?}");
            assert_eq!(contains(h, n), h.contains(n));
            assert_eq!(split_once(h, n), h.split_once(n));
        }
        assert_eq!(cat(&["a", "", "bc"]), "abc");
        for h in ["", ".", "a", "a.b", ".a.", "a..b.", "é.é", "..."] {
            assert_eq!(
                split(h, b'.').collect::<Vec<_>>(),
                h.split('.').collect::<Vec<_>>()
            );
            assert_eq!(
                split(h, b'.').rev().collect::<Vec<_>>(),
                h.rsplit('.').collect::<Vec<_>>()
            );
            assert_eq!(split_once_at(h, b'.'), h.split_once('.'));
            assert_eq!(rsplit_once_at(h, b'.'), h.rsplit_once('.'));
            let mut both = split(h, b'.');
            let mut std = h.split('.');
            assert_eq!(
                (both.next(), both.next_back()),
                (std.next(), std.next_back())
            );
            assert_eq!(both.collect::<Vec<_>>(), std.collect::<Vec<_>>());
        }
        for n in [0, 9, 10, 1999, u64::MAX] {
            let mut s = String::from("x");
            push_decimal(&mut s, n);
            assert_eq!(s, format!("x{n}"));
        }
    }
}
