//! Conversions between integers and field elements, shared by the native side and the gadgets.
//!
//! A leaf module: it depends on nothing else in the crate, so every module may use it without
//! creating an import cycle (the gadgets' hints and tests, the layers, the training circuits).

use ark_ff::{BigInteger, PrimeField};

/// A signed integer as a field element (negative values are `r − |v|`).
#[must_use]
pub fn signed_to_field<F: PrimeField>(v: i128) -> F {
    if v >= 0 {
        F::from(v.unsigned_abs())
    } else {
        -F::from(v.unsigned_abs())
    }
}

/// Value of a small signed field element as an integer: `v` if `v < 2^62`, `−(r − v)` if
/// `r − v < 2^62`, otherwise `i64::MAX` (for gadget hints, tests and diagnostics).
#[must_use]
pub fn fe_to_i64<F: PrimeField>(v: F) -> i64 {
    let neg = -v;
    let small = |x: F| -> Option<i64> {
        let big = x.into_bigint();
        (BigInteger::num_bits(&big) <= 62).then(|| big.as_ref()[0] as i64)
    };
    small(v).or_else(|| small(neg).map(|x| -x)).unwrap_or(i64::MAX)
}

/// A field element as 32 big-endian bytes (the EVM's `uint256`).
#[must_use]
pub fn to_be_bytes32<F: PrimeField>(f: F) -> [u8; 32] {
    let mut out = [0u8; 32];
    let bytes = f.into_bigint().to_bytes_be();
    out[32 - bytes.len()..].copy_from_slice(&bytes);
    out
}

/// A field element as a `u64`, if it is below `2^64`.
#[must_use]
pub fn to_u64<F: PrimeField>(f: F) -> Option<u64> {
    let big = f.into_bigint();
    (BigInteger::num_bits(&big) <= 64).then(|| big.as_ref()[0])
}
