//! Integer arithmetic rules shared by the native engine and the circuit.
//!
//! A dense neuron computes, in exact integers,
//!
//! ```text
//! acc = bias + Σ_j w_j · x_j                    (int32 accumulator; int8 w and x)
//! q   = floor((acc · m + 2^(s-1)) / 2^s)         (requantize by M = m · 2^-s, round half up)
//! y   = clamp(q, 0, 127)       if the layer has ReLU
//! y   = clamp(q, -128, 127)    otherwise
//! ```
//!
//! "Round half up" means ties go towards +∞ (−2.5 → −2, 2.5 → 3); `floor` is the mathematical floor,
//! also for negative values (an arithmetic right shift). The circuit proves exactly this rule.

/// Largest int8 value.
pub const I8_MAX: i64 = 127;
/// Smallest int8 value.
pub const I8_MIN: i64 = -128;

/// `floor((acc · m + 2^(s-1)) / 2^s)`: requantization with round-half-up. Requires `1 <= s <= 62`.
#[must_use]
pub fn requantize(acc: i64, multiplier: u32, shift: u32) -> i128 {
    debug_assert!((1..=62).contains(&shift));
    let z = i128::from(acc) * i128::from(multiplier) + (1i128 << (shift - 1));
    z >> shift
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
