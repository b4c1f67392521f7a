//! Packing int8 vectors into BN254 scalar field elements ("words").
//!
//! Value `i` goes into word `i / 31` at byte `i % 31` (little-endian) as the unsigned byte `v + 128`:
//! `word_k = Σ_j (v_{31k+j} + 128) · 256^j`. 31 bytes = 248 bits < 254, so a word is always a
//! canonical field element (< r) and the unpacking is unique. The Solidity consumer decodes the same way.
//!
//! Output words, whose last word also carries the payee, are laid out by
//! [`crate::statement::output`].

use ark_ff::PrimeField;

/// int8 values per packed word.
pub const VALUES_PER_WORD: usize = 31;

/// Number of words needed for `len` values.
#[must_use]
pub fn words_for(len: usize) -> usize {
    len.div_ceil(VALUES_PER_WORD)
}

/// Packs int8 values as 32-byte big-endian words (the EVM's `uint256`).
#[must_use]
pub fn pack_be_words(values: &[i8]) -> Vec<[u8; 32]> {
    values
        .chunks(VALUES_PER_WORD)
        .map(|chunk| {
            let mut word = [0u8; 32];
            for (j, &v) in chunk.iter().enumerate() {
                // (v + 128) is in [0, 255]: the two's-complement byte with its top bit flipped.
                word[31 - j] = (v as u8) ^ 0x80;
            }
            word
        })
        .collect()
}

/// Packs int8 values as field elements.
#[must_use]
pub fn pack_field<F: PrimeField>(values: &[i8]) -> Vec<F> {
    pack_be_words(values).iter().map(|w| F::from_be_bytes_mod_order(w)).collect()
}

/// Unpacks `len` int8 values from big-endian words; `None` if a word has bytes beyond position 30
/// or too few words are given.
#[must_use]
pub fn unpack_be_words(words: &[[u8; 32]], len: usize) -> Option<Vec<i8>> {
    if words.len() != words_for(len) {
        return None;
    }
    let mut out = Vec::with_capacity(len);
    for (k, word) in words.iter().enumerate() {
        if word[0] != 0 {
            return None;
        }
        let n = (len - k * VALUES_PER_WORD).min(VALUES_PER_WORD);
        for j in 0..VALUES_PER_WORD {
            let byte = word[31 - j];
            if j < n {
                out.push((byte ^ 0x80) as i8);
            } else if byte != 0 {
                return None;
            }
        }
    }
    Some(out)
}

/// Values of one width packed per word: 31 int8 (248 bits) or 7 int32 (224 bits).
#[must_use]
pub const fn per_word(bits: u32) -> usize {
    (248 / bits) as usize
}

/// Signed `bits`-bit values packed [`per_word`] per field element: `Σ (v + 2^(bits−1))·2^(bits·j)`
/// (the words a private tensor commits to; [`crate::gadgets::private_tensor::alloc`] builds the same
/// words in-circuit).
#[must_use]
pub fn words_native<F: PrimeField>(values: &[i64], bits: u32) -> Vec<F> {
    let offset = 1i128 << (bits - 1);
    values
        .chunks(per_word(bits))
        .map(|chunk| {
            let mut w = F::ZERO;
            let mut power = F::ONE;
            for &v in chunk {
                w += power * F::from((i128::from(v) + offset) as u128);
                power *= F::from(2u64).pow([u64::from(bits)]);
            }
            w
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pack_unpack_roundtrip() {
        let v: Vec<i8> = (0..70).map(|i| (i * 37 % 256 - 128) as i8).collect();
        let words = pack_be_words(&v);
        assert_eq!(words.len(), 3);
        assert_eq!(unpack_be_words(&words, v.len()).unwrap(), v);
    }

    #[test]
    fn layout_is_little_endian_offset_bytes() {
        let words = pack_be_words(&[-128, 0, 127]);
        assert_eq!(words[0][31], 0);
        assert_eq!(words[0][30], 128);
        assert_eq!(words[0][29], 255);
        assert!(words[0][..29].iter().all(|b| *b == 0));
    }

    #[test]
    fn unpack_rejects_junk_bytes() {
        let mut words = pack_be_words(&[1, 2]);
        words[0][10] = 1;
        assert!(unpack_be_words(&words, 2).is_none());
    }
}
