//! The integer arithmetic rules shared by the native engine, the native trainer and the circuits:
//! one rounding rule and one first-maximum rule.
//!
//! **Rounding** ([`rshift_round`]): `floor((v + 2^(s−1)) / 2^s)` (`v` for `s = 0`), round half up:
//! ties go towards +∞ (−2.5 → −2, 2.5 → 3); `floor` is the mathematical floor, also for negative
//! values (an arithmetic right shift). Both sides use it:
//!
//! * inference requantizes an int32 accumulator by `M = m · 2^−s` ([`requantize`]
//!   `= rshift_round(acc · m, s)`, `1 ≤ s ≤ 62`), then clamps to int8 ([`clamp`]; the engine adds the
//!   output zero point first, [`crate::native::engine::requant_out`]). A dense neuron computes
//!
//!   ```text
//!   acc = bias + Σ_j w_j · x_j                    (int32 accumulator; int8 w and x)
//!   q   = rshift_round(acc · m, s)                 (requantize by M = m · 2^-s, round half up)
//!   y   = clamp(q, 0, 127)       if the layer has ReLU
//!   y   = clamp(q, -128, 127)    otherwise
//!   ```
//!
//!   and its circuit is [`crate::gadgets::requant`];
//! * training rescales by a power of two (multiplier 1): `rshift_round(v, F)` in the forward and
//!   backward passes and `rshift_round(dW, lr)` in the update ([`crate::native::trainer`]), at widths
//!   far beyond int8; its circuit is [`crate::gadgets::shift_round`].
//!
//! **First maximum** ([`first_max`]): the index of the first maximum, ties to the lowest index — the
//! Argmax layer ([`crate::native::engine::argmax`]), the trainer's prediction and the on-chain
//! consumer all use this rule; its circuit is [`crate::gadgets::argmax`].

use core::ops::{Add, Shl, Shr};

/// Largest int8 value.
pub const I8_MAX: i64 = 127;
/// Smallest int8 value.
pub const I8_MIN: i64 = -128;

/// `floor((v + 2^(s−1)) / 2^s)`, and `v` for `s = 0`: the one rounding rule (round half up), for
/// `i64` (the trainer) and `i128` (requantization, whose `acc · m` may exceed 64 bits).
#[must_use]
pub fn rshift_round<T>(v: T, s: u32) -> T
where
    T: Copy + From<i8> + Add<Output = T> + Shl<u32, Output = T> + Shr<u32, Output = T>,
{
    if s == 0 {
        v
    } else {
        (v + (T::from(1) << (s - 1))) >> s
    }
}

/// `rshift_round(acc · m, s) = floor((acc · m + 2^(s-1)) / 2^s)`: requantization by `M = m · 2^−s`
/// with round-half-up. Requires `1 <= s <= 62`.
#[must_use]
pub fn requantize(acc: i64, multiplier: u32, shift: u32) -> i128 {
    debug_assert!((1..=62).contains(&shift));
    rshift_round(i128::from(acc) * i128::from(multiplier), shift)
}

/// Index of the first maximum of `values` (ties go to the lowest index; 0 when empty): the Argmax
/// layer's rule, the trainer's prediction and the on-chain consumer's.
#[must_use]
pub fn first_max<T: PartialOrd>(values: &[T]) -> usize {
    let mut best = 0;
    for (i, v) in values.iter().enumerate() {
        if *v > values[best] {
            best = i;
        }
    }
    best
}

/// Clamps a requantized value to int8, or to [0, 127] when `relu` is set.
#[must_use]
pub fn clamp(q: i128, relu: bool) -> i8 {
    let lo = if relu { 0 } else { I8_MIN };
    // The clamp keeps the value within [-128, 127], so the narrowing cannot truncate.
    q.clamp(i128::from(lo), i128::from(I8_MAX)) as i8
}

/// Number of bits needed to write `v` in binary (0 for 0).
#[must_use]
pub fn bit_len(v: u128) -> u32 {
    128 - v.leading_zeros()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_half_up_including_negatives() {
        // M = 1/2 (m = 1, s = 1): exact halves.
        assert_eq!(requantize(5, 1, 1), 3); // 2.5 -> 3
        assert_eq!(requantize(-5, 1, 1), -2); // -2.5 -> -2
        assert_eq!(requantize(-6, 1, 1), -3);
        assert_eq!(requantize(-7, 1, 1), -3); // -3.5 -> -3
                                              // M = 3/8.
        assert_eq!(requantize(10, 3, 3), 4); // 3.75 -> 4
        assert_eq!(requantize(-10, 3, 3), -4); // -3.75 -> -4
    }

    #[test]
    fn rshift_round_is_requantize_with_multiplier_one() {
        assert_eq!(
            [rshift_round(5i64, 1), rshift_round(-5, 1), rshift_round(-6, 2), rshift_round(7, 0)],
            [3, -2, -1, 7]
        );
        for v in -40i64..40 {
            for s in 1..5 {
                assert_eq!(i128::from(rshift_round(v, s)), requantize(v, 1, s));
            }
        }
    }

    #[test]
    fn first_max_takes_the_lowest_index_on_ties() {
        assert_eq!(first_max(&[3i8, 9, -4, 9, 7]), 1);
        assert_eq!(first_max(&[-5i64, -1, -3, -1]), 1);
        assert_eq!(first_max::<i8>(&[]), 0);
    }

    #[test]
    fn clamps_to_int8_and_relu() {
        assert_eq!(clamp(300, false), 127);
        assert_eq!(clamp(-300, false), -128);
        assert_eq!(clamp(-5, true), 0);
        assert_eq!(clamp(-5, false), -5);
        assert_eq!(clamp(126, true), 126);
    }

    #[test]
    fn bit_len_matches_definition() {
        assert_eq!(bit_len(0), 0);
        assert_eq!(bit_len(1), 1);
        assert_eq!(bit_len(255), 8);
        assert_eq!(bit_len(256), 9);
    }
}
