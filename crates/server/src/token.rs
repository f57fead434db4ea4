//! Secrets: seat and admin tokens of 256 bits from the OS's generator, stored only as SHA-256
//! hashes and compared in constant time.

use rand::RngCore;
use sha2::{Digest, Sha256};

/// A new token: 32 bytes from the OS's generator, as 64 hex digits.
pub fn new_token() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex(&b)
}

/// A new room id: 64 random bits as 16 hex digits (not a secret; tokens guard the seats).
pub fn new_room_id() -> String {
    let mut b = [0u8; 8];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex(&b)
}

/// The SHA-256 of a token, as hex: what the database keeps.
pub fn hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// Equality in time that depends only on the lengths.
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn hex(b: &[u8]) -> String {
    const D: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(b.len() * 2);
    for x in b {
        s.push(D[(x >> 4) as usize] as char);
        s.push(D[(x & 15) as usize] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_distinct_and_hashed() {
        let a = new_token();
        let b = new_token();
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_eq!(hash(&a), hash(&a));
        assert_ne!(hash(&a), hash(&b));
        assert!(ct_eq(hash(&a).as_bytes(), hash(&a).as_bytes()));
        assert!(!ct_eq(hash(&a).as_bytes(), hash(&b).as_bytes()));
        assert!(!ct_eq(b"ab", b"abc"));
    }
}
