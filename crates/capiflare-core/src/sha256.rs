//! SHA-256 (FIPS 180-4) in a few lines: the browser module hashes every customer field with it,
//! and the `sha2` crate's generic block buffering costs it several times this size. The tests
//! compare it with `sha2` on every length that matters to the padding.

use alloc::string::String;

const K: [u32; 64] = [
    0x428a_2f98,
    0x7137_4491,
    0xb5c0_fbcf,
    0xe9b5_dba5,
    0x3956_c25b,
    0x59f1_11f1,
    0x923f_82a4,
    0xab1c_5ed5,
    0xd807_aa98,
    0x1283_5b01,
    0x2431_85be,
    0x550c_7dc3,
    0x72be_5d74,
    0x80de_b1fe,
    0x9bdc_06a7,
    0xc19b_f174,
    0xe49b_69c1,
    0xefbe_4786,
    0x0fc1_9dc6,
    0x240c_a1cc,
    0x2de9_2c6f,
    0x4a74_84aa,
    0x5cb0_a9dc,
    0x76f9_88da,
    0x983e_5152,
    0xa831_c66d,
    0xb003_27c8,
    0xbf59_7fc7,
    0xc6e0_0bf3,
    0xd5a7_9147,
    0x06ca_6351,
    0x1429_2967,
    0x27b7_0a85,
    0x2e1b_2138,
    0x4d2c_6dfc,
    0x5338_0d13,
    0x650a_7354,
    0x766a_0abb,
    0x81c2_c92e,
    0x9272_2c85,
    0xa2bf_e8a1,
    0xa81a_664b,
    0xc24b_8b70,
    0xc76c_51a3,
    0xd192_e819,
    0xd699_0624,
    0xf40e_3585,
    0x106a_a070,
    0x19a4_c116,
    0x1e37_6c08,
    0x2748_774c,
    0x34b0_bcb5,
    0x391c_0cb3,
    0x4ed8_aa4a,
    0x5b9c_ca4f,
    0x682e_6ff3,
    0x748f_82ee,
    0x78a5_636f,
    0x84c8_7814,
    0x8cc7_0208,
    0x90be_fffa,
    0xa450_6ceb,
    0xbef9_a3f7,
    0xc671_78f2,
];

/// Lowercase hex of the SHA-256 of `data`.
pub(crate) fn hex(data: &[u8]) -> String {
    let mut out = String::with_capacity(64);
    for b in digest(data) {
        for n in [b >> 4, b & 0xf] {
            out.push(char::from(if n < 10 { b'0' + n } else { b'a' - 10 + n }));
        }
    }
    out
}

/// The SHA-256 of `data`.
pub(crate) fn digest(data: &[u8]) -> [u8; 32] {
    let mut h: [u32; 8] = [
        0x6a09_e667,
        0xbb67_ae85,
        0x3c6e_f372,
        0xa54f_f53a,
        0x510e_527f,
        0x9b05_688c,
        0x1f83_d9ab,
        0x5be0_cd19,
    ];
    // The padded message byte by byte, in one loop: the data, the 1 bit, zeros, and the length
    // in bits in the last 8 bytes of the last block (one or two blocks after the full ones). Each
    // byte shifts into its big-endian word of the block; four of them replace the word whole.
    let total = (data.len() + 9).div_ceil(64) * 64;
    let bits = (data.len() as u64).wrapping_mul(8);
    let mut w = [0u32; 16];
    for i in 0..total {
        let byte = match data.get(i) {
            Some(&b) => b,
            None if i == data.len() => 0x80,
            None if i + 8 >= total => (bits >> (8 * (total - 1 - i))) as u8,
            None => 0,
        };
        if let Some(word) = w.get_mut(i % 64 / 4) {
            *word = *word << 8 | u32::from(byte);
        }
        if i % 64 == 63 {
            compress(&mut h, &mut w);
        }
    }
    let mut out = [0u8; 32];
    for (i, o) in out.iter_mut().enumerate() {
        *o = (at(&h, i / 4) >> (24 - 8 * (i % 4))) as u8;
    }
    out
}

/// `words[i]` (0 past the end, which no caller reaches).
fn at(words: &[u32], i: usize) -> u32 {
    words.get(i).copied().unwrap_or(0)
}

/// One block, its 16 words in `w`, into the state. `w` then serves as the message schedule's
/// window of its last 16 words, computed as the rounds go.
fn compress(h: &mut [u32; 8], w: &mut [u32; 16]) {
    let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut hh] = *h;
    for (t, k) in K.iter().enumerate() {
        if t >= 16 {
            let (w15, w2) = (at(w, (t - 15) % 16), at(w, (t - 2) % 16));
            let s0 = w15.rotate_right(7) ^ w15.rotate_right(18) ^ (w15 >> 3);
            let s1 = w2.rotate_right(17) ^ w2.rotate_right(19) ^ (w2 >> 10);
            let next = at(w, t % 16)
                .wrapping_add(s0)
                .wrapping_add(at(w, (t - 7) % 16))
                .wrapping_add(s1);
            if let Some(x) = w.get_mut(t % 16) {
                *x = next;
            }
        }
        let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
        let ch = (e & f) ^ (!e & g);
        let t1 = hh
            .wrapping_add(s1)
            .wrapping_add(ch)
            .wrapping_add(*k)
            .wrapping_add(at(w, t % 16));
        let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
        let maj = (a & b) ^ (a & c) ^ (b & c);
        let t2 = s0.wrapping_add(maj);
        hh = g;
        g = f;
        f = e;
        e = d.wrapping_add(t1);
        d = c;
        c = b;
        b = a;
        a = t1.wrapping_add(t2);
    }
    for (x, v) in h.iter_mut().zip([a, b, c, d, e, f, g, hh]) {
        *x = x.wrapping_add(v);
    }
}

#[cfg(test)]
mod tests {
    use sha2::{Digest, Sha256};

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn as_sha2_at_every_padding_length() {
        let data: Vec<u8> = (0..300u32).map(|i| (i * 7 + 3) as u8).collect();
        for len in 0..data.len() {
            let want: String = Sha256::digest(&data[..len])
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            assert_eq!(super::hex(&data[..len]), want, "length {len}");
        }
        assert_eq!(
            super::hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
