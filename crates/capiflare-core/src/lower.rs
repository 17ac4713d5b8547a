//! Lowercasing exactly as `str::to_lowercase` does (Unicode's full case mapping plus the one
//! contextual rule, Greek final sigma), from tables a tenth the size of the standard library's:
//! the browser module carries every byte of them. The tests compare every character, and the
//! final-sigma rule around every character, with the standard library, and print new tables
//! when a newer Rust brings a newer Unicode version.
//!
//! Both tables are LEB128 varints. [`LOWER`]: runs of characters that map to themselves plus a
//! constant offset, each `gap from the previous run's end, count << 1 | (stride - 1), zigzag
//! offset` (stride 2 is the alternating upper/lower layout of many Latin, Greek and Cyrillic
//! blocks); ASCII and U+0130 (the one mapping to two characters) are handled in code.
//! [`CLASS_GAPS`] and [`CLASS_KINDS`]: for the final-sigma rule, the gap to each change of class
//! and the class from there (0 other, 1 case-ignorable, 2 cased and not case-ignorable), in two
//! streams, which compress better apart.

use alloc::string::String;

/// `s` lowercased, as `s.to_lowercase()`.
pub(crate) fn lowercase(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, c) in s.char_indices() {
        if c == '\u{3a3}' {
            // Σ is ς at the end of a word: cased before it (case-ignorable characters between)
            // and not after it.
            let before = s.get(..i).unwrap_or_default().chars().rev();
            let after = s.get(i + 2..).unwrap_or_default().chars();
            let last = cased_next(before) && !cased_next(after);
            out.push(if last { '\u{3c2}' } else { '\u{3c3}' });
        } else {
            push_lower(c, &mut out);
        }
    }
    out
}

fn push_lower(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return;
    }
    if c == '\u{130}' {
        out.push_str("i\u{307}");
        return;
    }
    let u = u32::from(c);
    let mut table = LOWER.iter();
    let mut start = 0;
    while table.len() > 0 {
        start += varint(&mut table);
        let run = varint(&mut table);
        let offset = varint(&mut table);
        if u < start {
            break;
        }
        let stride = (run & 1) + 1;
        let end = start + ((run >> 1) - 1) * stride + 1;
        if u < end && (stride == 1 || (u - start) & 1 == 0) {
            let offset = (offset >> 1).cast_signed() ^ -(offset & 1).cast_signed();
            out.extend(char::from_u32(u.wrapping_add_signed(offset)));
            return;
        }
        start = end;
    }
    out.push(c);
}

/// Whether the first character that is not case-ignorable is cased.
fn cased_next(mut chars: impl Iterator<Item = char>) -> bool {
    chars
        .find(|&c| class(c) != 1)
        .is_some_and(|c| class(c) == 2)
}

fn class(c: char) -> u32 {
    let u = u32::from(c);
    let mut gaps = CLASS_GAPS.iter();
    let (mut at, mut class, mut i) = (0, 0, 0);
    while gaps.len() > 0 {
        at += varint(&mut gaps);
        if u < at {
            break;
        }
        class = CLASS_KINDS
            .get(i / 4)
            .map_or(0, |&b| u32::from(b >> (i % 4 * 2)) & 3);
        i += 1;
    }
    class
}

fn varint(bytes: &mut core::slice::Iter<'_, u8>) -> u32 {
    let (mut v, mut shift) = (0, 0);
    for &b in bytes.by_ref() {
        v |= u32::from(b & 0x7f) << shift;
        if b < 0x80 {
            break;
        }
        shift += 7;
    }
    v
}

/// Runs of single-character lowercase mappings outside ASCII (see the module documentation).
#[rustfmt::skip]
const LOWER: [u8; 675] = [
    192, 1, 46, 64, 1, 14, 64, 33, 49, 2, 3, 7, 2, 2, 17, 2, 2, 47, 2, 1,
    2, 241, 1, 0, 7, 2, 3, 2, 164, 3, 0, 5, 2, 1, 2, 156, 3, 0, 2, 2,
    1, 4, 154, 3, 0, 2, 2, 2, 2, 158, 1, 0, 2, 148, 3, 0, 2, 150, 3, 0,
    2, 2, 1, 2, 154, 3, 0, 2, 158, 3, 1, 2, 166, 3, 0, 2, 162, 3, 0, 2,
    2, 3, 2, 166, 3, 0, 2, 170, 3, 1, 2, 172, 3, 0, 7, 2, 1, 2, 180, 3,
    0, 2, 2, 1, 2, 180, 3, 2, 2, 2, 1, 2, 180, 3, 0, 2, 2, 1, 4, 178,
    3, 0, 5, 2, 1, 2, 182, 3, 0, 2, 2, 3, 2, 2, 7, 2, 4, 0, 2, 2,
    1, 2, 4, 0, 2, 2, 1, 2, 4, 0, 19, 2, 2, 19, 2, 2, 2, 4, 0, 5,
    2, 1, 2, 193, 1, 0, 2, 111, 0, 41, 2, 1, 2, 131, 2, 1, 19, 2, 7, 2,
    214, 168, 1, 0, 2, 2, 1, 2, 197, 2, 0, 2, 208, 168, 1, 2, 2, 2, 1, 2,
    133, 3, 0, 2, 138, 1, 0, 2, 142, 1, 0, 11, 2, 161, 2, 5, 2, 3, 2, 2,
    8, 2, 232, 1, 6, 2, 76, 1, 6, 74, 1, 2, 128, 1, 1, 4, 126, 1, 34, 64,
    1, 18, 64, 35, 2, 16, 8, 25, 2, 5, 2, 119, 2, 2, 2, 1, 2, 13, 0, 2,
    2, 2, 6, 131, 2, 0, 32, 160, 1, 0, 64, 64, 48, 35, 2, 9, 55, 2, 1, 2,
    30, 0, 15, 2, 2, 97, 2, 2, 76, 96, 201, 22, 76, 192, 113, 1, 2, 192, 113, 5,
    2, 192, 113, 210, 5, 160, 1, 160, 223, 4, 0, 12, 16, 147, 17, 2, 2, 6, 86, 255,
    46, 2, 6, 255, 46, 192, 2, 151, 1, 2, 9, 2, 253, 118, 1, 97, 2, 9, 16, 15,
    8, 12, 15, 10, 16, 15, 8, 16, 15, 8, 12, 15, 11, 9, 15, 8, 16, 15, 24, 16,
    15, 8, 16, 15, 8, 16, 15, 8, 4, 15, 0, 4, 147, 1, 0, 2, 17, 11, 8, 171,
    1, 0, 2, 17, 11, 4, 15, 0, 4, 199, 1, 12, 4, 15, 0, 4, 223, 1, 0, 2,
    13, 11, 4, 255, 1, 0, 4, 251, 1, 0, 2, 17, 169, 2, 2, 185, 117, 3, 2, 253,
    130, 1, 0, 2, 139, 129, 1, 6, 2, 56, 45, 32, 32, 19, 2, 2, 178, 6, 52, 52,
    176, 14, 96, 96, 48, 2, 2, 1, 2, 237, 167, 1, 0, 2, 203, 59, 0, 2, 205, 167,
    1, 2, 7, 2, 1, 2, 183, 168, 1, 0, 2, 249, 167, 1, 0, 2, 189, 168, 1, 0,
    2, 187, 168, 1, 1, 2, 2, 2, 2, 2, 8, 4, 253, 168, 1, 0, 101, 2, 8, 5,
    2, 4, 2, 2, 205, 242, 1, 47, 2, 19, 29, 2, 135, 1, 15, 2, 3, 63, 2, 10,
    5, 2, 1, 2, 135, 168, 4, 0, 11, 2, 4, 2, 2, 1, 2, 207, 148, 5, 2, 5,
    2, 3, 21, 2, 1, 2, 135, 149, 5, 0, 2, 157, 149, 5, 0, 2, 149, 149, 5, 0,
    2, 129, 149, 5, 0, 2, 135, 149, 5, 1, 2, 163, 148, 5, 0, 2, 211, 148, 5, 0,
    2, 169, 148, 5, 0, 2, 192, 14, 0, 17, 2, 1, 2, 95, 0, 2, 133, 149, 5, 0,
    2, 239, 168, 4, 0, 5, 2, 1, 2, 205, 149, 5, 0, 17, 2, 1, 2, 129, 153, 5,
    24, 2, 2, 171, 174, 1, 52, 64, 197, 9, 80, 80, 136, 1, 72, 80, 156, 1, 22, 78,
    1, 30, 78, 1, 14, 78, 1, 4, 78, 234, 13, 102, 128, 1, 157, 1, 44, 64, 186, 22,
    64, 64, 128, 171, 1, 64, 64, 64, 50, 54, 199, 244, 1, 68, 68,
];

/// Where the final-sigma class changes (see the module documentation).
#[rustfmt::skip]
const CLASS_GAPS: [u8; 1248] = [
    39, 1, 6, 1, 11, 1, 6, 26, 3, 1, 1, 1, 26, 45, 1, 1, 1, 2, 1, 1,
    1, 4, 1, 1, 1, 2, 1, 1, 5, 23, 1, 31, 1, 195, 1, 1, 4, 4, 208, 1,
    2, 26, 192, 1, 4, 2, 2, 2, 1, 3, 1, 1, 4, 2, 1, 1, 3, 1, 1, 1,
    20, 1, 83, 1, 139, 1, 1, 7, 166, 1, 1, 38, 2, 1, 5, 1, 41, 8, 45, 1,
    1, 1, 2, 1, 2, 1, 1, 44, 1, 11, 6, 10, 11, 1, 1, 35, 1, 10, 21, 16,
    1, 101, 8, 1, 10, 1, 4, 33, 1, 1, 1, 30, 27, 91, 11, 58, 11, 4, 1, 2,
    1, 24, 24, 43, 3, 44, 1, 7, 2, 5, 9, 41, 58, 55, 1, 1, 1, 4, 8, 4,
    1, 3, 7, 10, 2, 13, 1, 15, 1, 58, 1, 4, 4, 8, 1, 20, 2, 26, 1, 2,
    2, 57, 1, 4, 2, 4, 2, 2, 3, 3, 1, 30, 2, 3, 1, 11, 2, 57, 1, 4,
    5, 1, 2, 4, 1, 20, 2, 22, 6, 1, 1, 58, 1, 2, 1, 1, 4, 8, 1, 7,
    2, 11, 2, 30, 1, 61, 1, 12, 1, 50, 1, 3, 1, 55, 1, 1, 3, 5, 3, 1,
    4, 7, 2, 11, 2, 29, 1, 58, 1, 2, 1, 6, 1, 5, 2, 20, 2, 28, 2, 57,
    2, 4, 4, 8, 1, 20, 2, 29, 1, 72, 1, 7, 3, 1, 1, 90, 1, 2, 7, 11,
    9, 98, 1, 2, 9, 9, 1, 1, 7, 73, 2, 27, 1, 1, 1, 1, 1, 55, 14, 1,
    5, 1, 2, 5, 11, 1, 36, 9, 1, 102, 4, 1, 6, 1, 2, 2, 2, 25, 2, 4,
    3, 16, 4, 13, 1, 2, 2, 6, 1, 15, 1, 2, 38, 1, 1, 5, 1, 2, 43, 1,
    1, 3, 221, 4, 3, 64, 86, 2, 6, 148, 6, 3, 29, 2, 30, 2, 30, 2, 64, 2,
    1, 7, 8, 1, 2, 11, 3, 1, 5, 1, 45, 5, 51, 1, 65, 2, 34, 1, 118, 3,
    4, 2, 9, 1, 6, 3, 219, 1, 2, 2, 1, 58, 1, 1, 7, 1, 1, 1, 1, 2,
    8, 6, 10, 2, 1, 39, 1, 8, 46, 2, 12, 20, 4, 48, 1, 1, 5, 1, 1, 5,
    1, 40, 9, 12, 2, 32, 4, 2, 2, 1, 3, 56, 1, 1, 2, 3, 1, 1, 3, 58,
    8, 2, 2, 64, 6, 2, 11, 5, 43, 2, 3, 16, 3, 1, 13, 1, 7, 4, 1, 6,
    1, 3, 2, 6, 44, 63, 13, 1, 34, 101, 150, 2, 2, 6, 2, 38, 2, 6, 2, 8,
    1, 1, 1, 1, 1, 1, 1, 31, 2, 53, 1, 7, 1, 1, 3, 3, 1, 7, 3, 4,
    2, 6, 1, 3, 13, 3, 2, 3, 1, 7, 2, 12, 5, 8, 2, 10, 1, 2, 1, 2,
    5, 49, 5, 1, 10, 1, 1, 13, 1, 16, 13, 51, 33, 17, 1, 4, 1, 2, 10, 1,
    1, 3, 5, 6, 1, 1, 1, 1, 1, 1, 4, 1, 6, 4, 1, 2, 4, 5, 5, 4,
    1, 17, 32, 3, 2, 177, 6, 52, 150, 14, 124, 2, 103, 6, 4, 3, 2, 12, 38, 1,
    1, 5, 1, 65, 1, 15, 1, 96, 32, 47, 1, 213, 3, 1, 36, 4, 3, 5, 5, 1,
    93, 6, 93, 3, 150, 222, 1, 1, 226, 9, 6, 142, 2, 1, 51, 46, 1, 4, 1, 10,
    1, 1, 28, 4, 80, 2, 14, 34, 78, 1, 23, 3, 4, 1, 77, 20, 4, 2, 1, 2,
    1, 7, 1, 3, 1, 4, 1, 25, 2, 5, 1, 151, 1, 2, 26, 18, 13, 1, 38, 8,
    25, 11, 46, 3, 48, 1, 2, 4, 2, 2, 17, 1, 21, 2, 66, 6, 2, 2, 2, 2,
    12, 1, 8, 1, 35, 1, 11, 1, 51, 1, 1, 3, 2, 2, 5, 2, 1, 1, 27, 1,
    14, 2, 5, 2, 1, 1, 57, 43, 5, 9, 3, 4, 80, 37, 1, 2, 1, 4, 1, 146,
    158, 1, 7, 12, 5, 6, 1, 147, 1, 17, 189, 4, 16, 3, 1, 12, 16, 34, 1, 2,
    1, 169, 1, 1, 7, 1, 6, 1, 11, 1, 6, 26, 3, 1, 1, 1, 26, 21, 1, 45,
    2, 67, 1, 21, 3, 129, 4, 1, 226, 1, 1, 149, 1, 5, 133, 1, 80, 96, 36, 4,
    36, 116, 11, 1, 15, 1, 7, 1, 2, 1, 11, 1, 15, 1, 7, 1, 2, 195, 3, 6,
    1, 42, 1, 9, 198, 4, 3, 1, 2, 5, 4, 40, 3, 4, 1, 165, 1, 2, 153, 3,
    51, 13, 51, 49, 4, 38, 1, 1, 22, 3, 5, 1, 1, 22, 165, 2, 2, 24, 1, 52,
    6, 70, 11, 49, 4, 123, 1, 54, 15, 41, 1, 2, 2, 10, 3, 49, 4, 2, 2, 2,
    1, 4, 1, 10, 1, 50, 3, 36, 5, 1, 8, 62, 1, 12, 2, 52, 9, 10, 4, 2,
    1, 95, 3, 2, 1, 1, 2, 6, 1, 2, 1, 157, 1, 1, 3, 8, 21, 2, 57, 2,
    3, 1, 37, 7, 3, 5, 70, 6, 13, 1, 1, 1, 1, 1, 14, 2, 85, 8, 2, 3,
    1, 1, 23, 1, 84, 6, 1, 1, 4, 2, 1, 2, 238, 1, 4, 6, 2, 1, 2, 27,
    2, 85, 8, 2, 1, 1, 2, 106, 1, 1, 1, 2, 6, 1, 1, 101, 1, 1, 1, 2,
    4, 1, 5, 131, 2, 9, 1, 2, 101, 64, 91, 2, 1, 1, 4, 1, 144, 1, 4, 2,
    2, 4, 1, 32, 10, 40, 6, 2, 4, 8, 1, 9, 6, 2, 3, 46, 13, 1, 2, 198,
    1, 1, 1, 3, 1, 1, 201, 1, 7, 1, 6, 1, 1, 82, 22, 2, 7, 1, 2, 1,
    2, 122, 6, 3, 1, 1, 2, 1, 7, 1, 1, 72, 2, 3, 1, 1, 1, 65, 1, 153,
    2, 2, 11, 2, 52, 5, 5, 1, 1, 1, 23, 1, 213, 41, 17, 6, 15, 200, 89, 12,
    3, 3, 192, 19, 5, 59, 7, 9, 4, 252, 3, 3, 40, 2, 211, 1, 64, 32, 25, 2,
    25, 123, 1, 63, 17, 64, 2, 1, 2, 13, 2, 252, 127, 4, 1, 7, 1, 2, 158, 25,
    2, 1, 4, 220, 36, 46, 2, 23, 160, 4, 3, 9, 16, 2, 7, 30, 4, 148, 1, 3,
    187, 3, 85, 1, 71, 1, 2, 2, 1, 2, 2, 2, 4, 1, 12, 1, 1, 1, 7, 1,
    65, 1, 4, 2, 8, 1, 7, 1, 28, 1, 4, 1, 5, 1, 1, 3, 7, 1, 212, 2,
    2, 25, 1, 25, 1, 31, 1, 25, 1, 31, 1, 25, 1, 31, 1, 25, 1, 31, 1, 25,
    1, 8, 180, 4, 55, 4, 50, 8, 1, 14, 1, 22, 5, 1, 15, 208, 8, 10, 1, 20,
    6, 6, 213, 1, 7, 1, 17, 2, 7, 1, 2, 1, 5, 5, 62, 33, 1, 160, 1, 14,
    240, 2, 1, 61, 4, 251, 3, 5, 254, 1, 2, 243, 1, 1, 2, 1, 7, 2, 5, 1,
    9, 1, 208, 3, 7, 41, 68, 8, 228, 15, 26, 6, 26, 6, 26, 241, 4, 5, 129, 152,
    48, 1, 30, 96, 128, 1, 240, 1,
];

/// The final-sigma class at each of those places, 2 bits each, 4 to a byte, lowest bits first.
#[rustfmt::skip]
const CLASS_KINDS: [u8; 296] = [
    17, 33, 145, 132, 68, 36, 33, 34, 34, 98, 38, 137, 100, 34, 34, 146, 72, 36, 17, 17,
    17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17,
    17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17,
    17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 33, 34, 146, 132,
    72, 68, 68, 68, 68, 68, 68, 68, 68, 68, 68, 68, 68, 68, 68, 68, 68, 68, 68, 68,
    68, 68, 68, 68, 136, 72, 68, 68, 132, 153, 137, 136, 136, 136, 136, 152, 137, 137, 100, 136,
    17, 17, 17, 17, 17, 17, 34, 34, 34, 34, 34, 34, 34, 34, 98, 98, 34, 34, 17, 17,
    17, 17, 17, 17, 33, 17, 25, 145, 153, 72, 146, 68, 68, 68, 68, 68, 68, 68, 68, 68,
    68, 68, 68, 68, 68, 68, 68, 152, 33, 17, 33, 18, 17, 17, 17, 17, 17, 18, 73, 68,
    68, 68, 136, 136, 136, 136, 136, 72, 68, 68, 68, 68, 136, 68, 72, 36, 17, 17, 17, 17,
    17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17,
    17, 17, 17, 17, 17, 17, 17, 17, 33, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17,
    17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 34, 18, 17, 17, 17, 17, 17,
    17, 17, 17, 34, 34, 34, 34, 34, 34, 34, 34, 34, 34, 34, 34, 34, 34, 34, 17, 17,
    17, 34, 18, 17, 17, 17, 17, 17, 17, 17, 17, 97, 136, 72, 68, 4,
];

#[cfg(test)]
mod tests {
    use super::*;

    fn leb(out: &mut Vec<u8>, mut v: u32) {
        loop {
            let b = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                out.push(b);
                return;
            }
            out.push(b | 0x80);
        }
    }

    /// The tables, computed from the standard library.
    fn tables() -> (Vec<u8>, Vec<u8>, Vec<u8>) {
        let map: Vec<(u32, i64)> = (0x80..=0x10ffff_u32)
            .filter_map(char::from_u32)
            .filter_map(|c| {
                let mut l = c.to_lowercase();
                match (l.next(), l.next()) {
                    (Some(one), None) if one != c => Some((
                        u32::from(c),
                        i64::from(u32::from(one)) - i64::from(u32::from(c)),
                    )),
                    _ => None,
                }
            })
            .collect();
        let (mut lower, mut prev, mut i) = (Vec::new(), 0, 0);
        while let Some(&(start, offset)) = map.get(i) {
            let (mut count, mut stride) = (1, 1);
            for s in [1, 2] {
                let n = map[i..]
                    .iter()
                    .enumerate()
                    .take_while(|&(k, &(u, d))| u == start + k as u32 * s && d == offset)
                    .count() as u32;
                if n > count {
                    (count, stride) = (n, s);
                }
            }
            leb(&mut lower, start - prev);
            leb(&mut lower, count << 1 | (stride - 1));
            leb(&mut lower, ((offset << 1) ^ (offset >> 63)) as u32);
            prev = start + (count - 1) * stride + 1;
            i += count as usize;
        }
        let (mut gaps, mut kinds, mut prev, mut last) = (Vec::new(), Vec::new(), 0, 0);
        for u in 0..=0x10ffff_u32 {
            let k = char::from_u32(u).map_or(0, std_class);
            if k != last {
                leb(&mut gaps, u - prev);
                kinds.push(k);
                (prev, last) = (u, k);
            }
        }
        let packed = kinds
            .chunks(4)
            .map(|four| {
                four.iter()
                    .enumerate()
                    .fold(0u8, |b, (i, &k)| b | (k as u8) << (2 * i))
            })
            .collect();
        (lower, gaps, packed)
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn tables_match_the_standard_library() {
        let (lower, gaps, kinds) = tables();
        let show = |t: &[u8]| {
            t.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        };
        assert!(
            lower == LOWER && gaps == CLASS_GAPS && kinds == CLASS_KINDS,
            "this Rust's Unicode tables differ: replace LOWER ({} bytes) with\n[{}]\n\
             CLASS_GAPS ({} bytes) with\n[{}]\nand CLASS_KINDS ({} bytes) with\n[{}]",
            lower.len(),
            show(&lower),
            gaps.len(),
            show(&gaps),
            kinds.len(),
            show(&kinds)
        );
    }

    /// The final-sigma class of `c` (see the module documentation), found out from the
    /// standard library's lowercasing.
    fn std_class(c: char) -> u32 {
        if c == '\u{3a3}' {
            return 2;
        }
        // After a cased letter, a case-ignorable or cased character keeps a final Σ final;
        // alone before Σ, only a cased one (not case-ignorable) makes it so.
        let after_cased = format!("A{c}\u{3a3}").to_lowercase().ends_with('\u{3c2}');
        let alone = format!("{c}\u{3a3}").to_lowercase().ends_with('\u{3c2}');
        if alone { 2 } else { u32::from(after_cased) }
    }

    /// Every character where the tables hold anything (the planes above hold no case mapping
    /// and no cased character; plane 14's tags and variation selectors are case-ignorable),
    /// and the last ones.
    fn characters() -> impl Iterator<Item = char> {
        (0..0x2_0000)
            .chain(0xe_0000..0xe_1000)
            .chain([0x2_0000, 0x3_134a, 0xf_0000, 0x10_fffd, 0x10_ffff])
            .filter_map(char::from_u32)
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn every_character_as_the_standard_library() {
        for c in characters() {
            let s = c.to_string();
            assert_eq!(lowercase(&s), s.to_lowercase(), "{s:?}");
            assert_eq!(class(c), std_class(c), "{c:?}");
        }
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn final_sigma_next_to_every_character() {
        for c in characters().filter(|&c| c < '\u{3000}' || class(c) != 0) {
            for s in [
                format!("A{c}\u{3a3}"),
                format!("{c}\u{3a3}"),
                format!("A\u{3a3}{c}A"),
                format!("A\u{3a3}{c}"),
            ] {
                assert_eq!(lowercase(&s), s.to_lowercase(), "{s:?}");
            }
        }
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn sigma_in_words() {
        for s in [
            "ΣΑΣ",
            "ΌΣΟΣ ΣΑΣ.",
            "Σ",
            "AΣ'Σ",
            "AΣ\u{301}",
            "ΑΣ\u{301}Β",
            "İSTANBUL",
            "ΣΑΣ1",
        ] {
            assert_eq!(lowercase(s), s.to_lowercase(), "{s:?}");
        }
    }
}
