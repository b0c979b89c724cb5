//! Secrets and crypto addresses: GitHub token CRC-32 checksums, Bitcoin
//! addresses (Base58Check with double SHA-256, bech32 / bech32m).

/// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320) lookup table, built at compile time.
const CRC_TABLE: [u32; 256] = crc_table();

/// Builds the CRC-32 table: entry i is i run through 8 rounds of the reflected polynomial.
const fn crc_table() -> [u32; 256] {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 == 1 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
}

/// CRC-32/ISO-HDLC of `data` (the zlib / `binascii.crc32` value).
fn crc32(data: &[u8]) -> u32 {
    !data.iter().fold(!0u32, |c, &b| {
        CRC_TABLE[((c ^ u32::from(b)) & 0xFF) as usize] ^ (c >> 8)
    })
}

/// GitHub token `gh[pousr]_` + 30 base62 chars + their CRC-32 in 6 base62 digits (0-9A-Za-z, MSB first, zero-padded) (GitHub token format, 2021).
pub fn github_token_crc32(s: &[u8]) -> bool {
    const B62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let v = s.trim_ascii();
    if v.len() != 40 || !matches!(&v[..4], b"ghp_" | b"gho_" | b"ghu_" | b"ghs_" | b"ghr_") {
        return false;
    }
    let (body, check) = v[4..].split_at(30);
    if !v[4..].iter().all(u8::is_ascii_alphanumeric) {
        return false;
    }
    let mut n = crc32(body);
    let mut expected = [b'0'; 6];
    for slot in expected.iter_mut().rev() {
        *slot = B62[(n % 62) as usize];
        n /= 62;
    }
    expected == check
}

const SHA256_K: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

/// One SHA-256 compression of a 64-byte block into the state `h` (FIPS 180-4 § 6.2.2).
fn sha256_block(h: &mut [u32; 8], block: &[u8]) {
    let mut w = [0u32; 64];
    for (wi, c) in w.iter_mut().zip(block.chunks_exact(4)) {
        *wi = u32::from_be_bytes([c[0], c[1], c[2], c[3]]);
    }
    for i in 16..64 {
        let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
        let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16]
            .wrapping_add(s0)
            .wrapping_add(w[i - 7])
            .wrapping_add(s1);
    }
    let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut hh] = *h;
    for (&k, &wi) in SHA256_K.iter().zip(&w) {
        let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
        let ch = (e & f) ^ (!e & g);
        let t1 = hh
            .wrapping_add(s1)
            .wrapping_add(ch)
            .wrapping_add(k)
            .wrapping_add(wi);
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
    for (x, y) in h.iter_mut().zip([a, b, c, d, e, f, g, hh]) {
        *x = x.wrapping_add(y);
    }
}

/// SHA-256 (FIPS 180-4), allocation-free.
fn sha256(data: &[u8]) -> [u8; 32] {
    let mut h: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
    ];
    let mut blocks = data.chunks_exact(64);
    for block in &mut blocks {
        sha256_block(&mut h, block);
    }
    let rest = blocks.remainder();
    let mut tail = [0u8; 128];
    tail[..rest.len()].copy_from_slice(rest);
    tail[rest.len()] = 0x80;
    let end = if rest.len() < 56 { 64 } else { 128 };
    let bits = u64::try_from(data.len()).unwrap_or(0).wrapping_mul(8);
    tail[end - 8..end].copy_from_slice(&bits.to_be_bytes());
    for block in tail[..end].chunks_exact(64) {
        sha256_block(&mut h, block);
    }
    let mut out = [0u8; 32];
    for (o, w) in out.chunks_exact_mut(4).zip(h) {
        o.copy_from_slice(&w.to_be_bytes());
    }
    out
}

/// Base58Check P2PKH/P2SH address: 25 bytes, version 0x00 ('1') or 0x05 ('3'), double-SHA-256 checksum.
fn btc_base58(s: &[u8]) -> bool {
    const B58: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    if !(26..=35).contains(&s.len()) {
        return false;
    }
    let mut buf = [0u8; 25];
    for &ch in s {
        let Some(pos) = B58.iter().position(|&x| x == ch) else {
            return false;
        };
        let mut carry = u32::try_from(pos).unwrap_or(0);
        for byte in buf.iter_mut().rev() {
            carry += u32::from(*byte) * 58;
            *byte = (carry & 0xFF) as u8;
            carry >>= 8;
        }
        if carry != 0 {
            return false;
        }
    }
    let ones = s.iter().take_while(|&&c| c == b'1').count();
    let zeros = buf.iter().take_while(|&&b| b == 0).count();
    let version_ok = match s[0] {
        b'1' => buf[0] == 0x00,
        b'3' => buf[0] == 0x05,
        _ => false,
    };
    let digest = sha256(&sha256(&buf[..21]));
    ones == zeros && version_ok && digest[..4] == buf[21..]
}

/// Segwit `bc1` address: bech32 (v0, 20/32-byte program) or bech32m (v1+) checksum (BIP-173, BIP-350).
fn btc_bech32(s: &[u8]) -> bool {
    const CHARSET: &[u8; 32] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    const GEN: [u32; 5] = [
        0x3b6a_57b2,
        0x2650_8e6d,
        0x1ea1_19fa,
        0x3d42_33dd,
        0x2a14_62b3,
    ];
    let step = |chk: u32, v: u32| {
        let top = chk >> 25;
        let mut c = ((chk & 0x01ff_ffff) << 5) ^ v;
        for (i, g) in GEN.iter().enumerate() {
            if (top >> i) & 1 == 1 {
                c ^= g;
            }
        }
        c
    };
    if !(14..=74).contains(&s.len()) {
        return false;
    }
    let lower = s.iter().any(u8::is_ascii_lowercase);
    let upper = s.iter().any(u8::is_ascii_uppercase);
    if (lower && upper) || !s[..3].eq_ignore_ascii_case(b"bc1") {
        return false;
    }
    let mut data = [0u8; 71];
    let n = s.len() - 3;
    for (slot, &ch) in data.iter_mut().zip(&s[3..]) {
        let Some(p) = CHARSET.iter().position(|&x| x == ch.to_ascii_lowercase()) else {
            return false;
        };
        *slot = p as u8;
    }
    // "bc" expanded: high bits of each char, 0, low bits of each char.
    let chk = [3u32, 3, 0, 2, 3]
        .into_iter()
        .chain(data[..n].iter().map(|&x| u32::from(x)))
        .fold(1u32, step);
    let version = data[0];
    let bech32m = match chk {
        1 => false,
        0x2bc8_30a3 => true,
        _ => return false,
    };
    if version > 16 || bech32m != (version > 0) {
        return false;
    }
    // Witness program: regroup the 5-bit words into bytes, padding must be zero.
    let (mut acc, mut bits, mut len) = (0u32, 0u32, 0usize);
    for &x in &data[1..n - 6] {
        acc = ((acc << 5) | u32::from(x)) & 0xFFF;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            len += 1;
        }
    }
    let padding_ok = bits < 5 && acc & ((1 << bits) - 1) == 0;
    let len_ok = if version == 0 {
        len == 20 || len == 32
    } else {
        (2..=40).contains(&len)
    };
    padding_ok && len_ok
}

/// Bitcoin address: Base58Check '1'/'3' (26-35 chars, double SHA-256) or bech32/bech32m `bc1` (Bitcoin BIPs 13/173/350).
pub fn btc_address(s: &[u8]) -> bool {
    let v = s.trim_ascii();
    match v.first() {
        Some(b'1' | b'3') => btc_base58(v),
        Some(b'b' | b'B') => btc_bech32(v),
        _ => false,
    }
}

/// Values each validator of this family must accept and reject.
#[cfg(test)]
pub(super) const CASES: &[super::Case] = &[
    (
        "github_token_crc32",
        &[
            "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",
            "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",
            "ghs_0000000000000000000000000000002C8GjS",
        ],
        &[
            "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ01234WLnuL",
            "gho_16C7e42F292c6912E7710c838347Ae178B4a",
            "ghx_0000000000000000000000000000002C8GjS",
            "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123",
        ],
    ),
    (
        "btc_address",
        &[
            "16Yeky6GMjeNkAiNcBY7ZhrLoMSgg1BoyZ",
            "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
            "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
            "bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297",
            "BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ",
        ],
        &[
            "16Yeky6GMjeNkAiNcBY7ZhrLoMSgg1BoyZ2",
            "16Yeky6GMjeNkAiNcBY7ZhrLoMSgg1BoyY",
            "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdr",
            "bc1Qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
            "0x8f953371d3e85eddb89b05ed6b9e6807910553",
        ],
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// SHA-256 (FIPS 180-2 vectors) and CRC-32 (check value of "123456789") are right.
    #[test]
    fn sha256_and_crc32_known_answers() {
        let hex = |d: [u8; 32]| d.iter().map(|b| format!("{b:02x}")).collect::<String>();
        assert_eq!(
            hex(sha256(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            hex(sha256(b"")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            hex(sha256(
                b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
            )),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }
}
