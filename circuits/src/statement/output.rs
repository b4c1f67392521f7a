//! The output words of an inference statement.
//!
//! **Output words carry the payee.** The prover's address is added to the last output word at bit
//! [`PAYEE_SHIFT`] (88, [`super::payee`]): `last += address · 2^88`. The last word therefore holds at most
//! [`PAYEE_WORD_VALUES`] (11) values; when the output's last chunk has more (or the output is a
//! multiple of 31 values), one more word holding only the payee is appended. Values below 2^88 plus
//! an address below 2^160 stay below 2^248 < r, so the split is unique. This saves the payee its own
//! public input (one elliptic-curve multiplication, about 6,150 gas per verification); the
//! contracts receive the output words with the payee bits clear and add `msg.sender` themselves.

use crate::native::packing::{pack_be_words, unpack_be_words, words_for, VALUES_PER_WORD};
use crate::statement::payee::PAYEE_SHIFT;

/// Most values the last output word holds beside the payee (`PAYEE_SHIFT / 8`).
pub const PAYEE_WORD_VALUES: usize = PAYEE_SHIFT as usize / 8;

/// Number of output words for `len` output values (the payee included, see the module doc).
#[must_use]
pub fn output_words_for(len: usize) -> usize {
    let words = words_for(len);
    let tail = len - words.saturating_sub(1) * VALUES_PER_WORD;
    if len == 0 || tail > PAYEE_WORD_VALUES {
        words + 1
    } else {
        words
    }
}

/// Output words as the contracts receive and store them: packed values, payee bits clear.
#[must_use]
pub fn pack_output_be_words(values: &[i8]) -> Vec<[u8; 32]> {
    let mut words = pack_be_words(values);
    words.resize(output_words_for(values.len()), [0u8; 32]);
    words
}

/// Output words as public inputs: [`pack_output_be_words`] with `payee · 2^88` added to the last.
#[must_use]
pub fn output_public_words(values: &[i8], payee: &[u8; 20]) -> Vec<[u8; 32]> {
    let mut words = pack_output_be_words(values);
    let last = words.last_mut().expect("at least one output word");
    // Bits 88..248 are bytes 1..21 of the big-endian word (byte 31 holds bits 0..8): the payee's
    // bits are clear in a packed word, so this is `bind_payee` on bytes.
    last[32 - PAYEE_WORD_VALUES - 20..32 - PAYEE_WORD_VALUES].copy_from_slice(payee);
    words
}

/// Unpacks `len` output values from words written by [`pack_output_be_words`] (payee bits clear).
#[must_use]
pub fn unpack_output_be_words(words: &[[u8; 32]], len: usize) -> Option<Vec<i8>> {
    if words.len() != output_words_for(len) {
        return None;
    }
    let n = words_for(len);
    if words[n..].iter().any(|w| *w != [0u8; 32]) {
        return None;
    }
    unpack_be_words(&words[..n], len)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_bn254::Fr;
    use ark_ff::{BigInteger, Field, PrimeField};

    #[test]
    fn payee_word_layout() {
        assert_eq!((output_words_for(10), output_words_for(11), output_words_for(12)), (1, 1, 2));
        assert_eq!((output_words_for(31), output_words_for(42), output_words_for(43)), (2, 2, 3));
        let values: Vec<i8> = (0..10).map(|i| i as i8 - 5).collect();
        let payee = [0xabu8; 20];
        let public = output_public_words(&values, &payee);
        let plain = pack_output_be_words(&values);
        // public = plain + payee · 2^88, as integers.
        let p = Fr::from_be_bytes_mod_order(&public[0]);
        let expected =
            Fr::from_be_bytes_mod_order(&plain[0]) + Fr::from_be_bytes_mod_order(&payee) * Fr::from(2u64).pow([88]);
        assert_eq!(p, expected);
        assert_eq!(p.into_bigint().to_bytes_be()[0], 0, "stays below 2^248");
        assert_eq!(unpack_output_be_words(&plain, 10).unwrap(), values);
        assert!(unpack_output_be_words(&public, 10).is_none(), "payee bits are not output values");
        let v12: Vec<i8> = vec![7; 12];
        let w = pack_output_be_words(&v12);
        assert_eq!(w.len(), 2);
        assert_eq!(unpack_output_be_words(&w, 12).unwrap(), v12);
        let mut bad = w.clone();
        bad[1][31] = 1;
        assert!(unpack_output_be_words(&bad, 12).is_none());
    }
}
