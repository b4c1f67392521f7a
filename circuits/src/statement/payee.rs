//! The payee: every mlproof statement binds its proof to one Ethereum address, carried in the high
//! bits of the statement's last public word, `word = low + address · 2^PAYEE_SHIFT`.
//!
//! `low` (packed output values, a step number, a sample count) stays below `2^88` and the address
//! below `2^160`, so the word stays below `2^248 < r` and the split is unique; the circuits
//! decompose the address into [`ADDRESS_BITS`] bits ([`crate::gadgets::payee::PayeeVar`]) so that a proof verifies for no
//! other payee. The contracts rebuild the word as `low | uint256(uint160(msg.sender)) << 88`.

use ark_ff::PrimeField;

use crate::field::to_be_bytes32;

/// Bit offset of the payee address in a statement's last public word.
pub const PAYEE_SHIFT: u32 = 88;

/// Bits of an Ethereum address.
pub const ADDRESS_BITS: u32 = 160;

/// A 20-byte address as a field element (its big-endian integer; always < 2^160 < r).
#[must_use]
pub fn address_to_field<F: PrimeField>(address: &[u8; 20]) -> F {
    F::from_be_bytes_mod_order(address)
}

/// `2^PAYEE_SHIFT` as a field element.
#[must_use]
pub fn payee_factor<F: PrimeField>() -> F {
    F::from(2u64).pow([u64::from(PAYEE_SHIFT)])
}

/// The bound word `low + address · 2^88` (native side of [`crate::gadgets::payee::PayeeVar::bind`]).
#[must_use]
pub fn bind_payee<F: PrimeField>(low: F, address: &[u8; 20]) -> F {
    low + address_to_field::<F>(address) * payee_factor::<F>()
}

/// Inverse of [`bind_payee`]: `(low, address)` with `low < 2^88`, or `None` if `word ≥ 2^248` (no
/// address fits).
#[must_use]
pub fn split_payee<F: PrimeField>(word: F) -> Option<(F, [u8; 20])> {
    let bytes = to_be_bytes32(word);
    // Bits 88..248 are bytes 1..21 of the big-endian word; bits 0..88 are bytes 21..32.
    let low_start = 32 - PAYEE_SHIFT as usize / 8;
    if bytes[0] != 0 {
        return None;
    }
    let address: [u8; 20] = bytes[low_start - 20..low_start].try_into().expect("20 bytes");
    Some((F::from_be_bytes_mod_order(&bytes[low_start..]), address))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_bn254::Fr;
    use ark_ff::Field;

    #[test]
    fn bind_and_split_are_inverse() {
        let address = [0xabu8; 20];
        let low = Fr::from(0x00ff_ffff_ffff_ffff_ffff_ffffu128);
        let word = bind_payee(low, &address);
        assert_eq!(word, low + Fr::from_be_bytes_mod_order(&address) * Fr::from(2u64).pow([88]));
        assert_eq!(split_payee(word), Some((low, address)));
        assert_eq!(split_payee(-Fr::from(1u64)), None);
    }
}
