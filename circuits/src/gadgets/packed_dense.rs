//! A dense layer of private weights on private inputs, rescaled by [`super::shift_round`], with
//! several neurons sharing each multiplication (the training circuits' forward pass).
//!
//! **Packed products.** The neurons `j₀ … j_{k−1}` of a group share the inputs, so their weights for
//! input `i` pack into one free linear combination `Wᵢ = Σₗ w_{jₗ,i}·B^l`, and one multiplication
//! `xᵢ·Wᵢ` yields `k` products at once: `P = Σᵢ xᵢ·Wᵢ = Σₗ dot_{jₗ}·B^l`.
//!
//! **Unpacking for free.** Each neuron's pre-activation `v_j` is a fresh witness that the rescale
//! decomposes anyway: `rshift_round(v, s, n)` writes `v + 2^(s−1) + 2^(n+s−1)` in `n + s` bits, so
//! `v ∈ [−2^(n+s−1) − 2^(s−1), 2^(n+s−1))`. One equality per group, `Σₗ (v_{jₗ} − b_{jₗ})·B^l = P`,
//! ties them to the products. With `B = 2^(n+s+2)`, every digit on both sides lies in `(−B/2, B/2)`
//! (given the caller's bounds below) and `k·(n+s+2) ≤ 252`, so both sides are integers of absolute
//! value below `p/2` with unique balanced base-`B` digits: the field equality forces
//! `v_j = b_j + Σᵢ w_{j,i}·xᵢ` for every `j`.
//!
//! **Caller's bounds** (static, from the value ranges the caller has already constrained):
//! `|Σᵢ w_{j,i}·xᵢ| < 2^(n+s)` and `|b_j| < 2^(n+s)` for all in-range weights and inputs — the same
//! bounds that make the rescale's `n` complete ([`crate::train::Widths`]).
//!
//! Cost: **`⌈rows/k⌉·(cols + 1)`** constraints for the products and equalities, with
//! `k = ⌊252 / (n + s + 2)⌋`, plus each neuron's rescale: `rows·cols` becomes about `rows·cols/k`.

use ark_ff::PrimeField;
use ark_r1cs_std::{alloc::AllocVar, boolean::Boolean, eq::EqGadget, fields::fp::FpVar, GR1CSVar};
use ark_relations::gr1cs::SynthesisError;

use super::{
    lincomb::weighted_sum,
    shift_round::{rshift_round, rshift_round_clamp, Clamped},
};

/// `Σₗ digitsₗ·B^l = Σₘ aₘ·(Σₗ cₘ,ₗ·B^l)` for one group of `digits.len()` values, each factor
/// `(aₘ, [cₘ,ₗ])`: one multiplication per factor and one equality (the module doc's packed product).
fn enforce_packed_group<F: PrimeField>(
    digits: &[FpVar<F>],
    factors: &[(&FpVar<F>, Vec<&FpVar<F>>)],
    base: F,
) -> Result<(), SynthesisError> {
    let powers: Vec<F> = std::iter::successors(Some(F::ONE), |p| Some(*p * base)).take(digits.len()).collect();
    let products = factors
        .iter()
        .map(|(a, c)| {
            let packed: Vec<(F, FpVar<F>)> = c.iter().zip(&powers).map(|(c, &pw)| (pw, (*c).clone())).collect();
            Ok((F::ONE, *a * weighted_sum(&packed, F::ZERO)?))
        })
        .collect::<Result<Vec<_>, SynthesisError>>()?;
    let lhs: Vec<(F, FpVar<F>)> = digits.iter().zip(&powers).map(|(d, &pw)| (pw, d.clone())).collect();
    weighted_sum(&lhs, F::ZERO)?.enforce_equal(&weighted_sum(&products, F::ZERO)?)
}

/// Neurons per group for a rescale of `n + s` bits.
#[must_use]
pub fn group_size(n: u32, s: u32) -> usize {
    (252 / (n + s + 2) as usize).max(1)
}

/// Constraints of the packed products and equalities of a `rows × cols` layer (without the rescales).
#[must_use]
pub fn cost(rows: usize, cols: usize, n: u32, s: u32) -> usize {
    rows.div_ceil(group_size(n, s)) * (cols + 1)
}

/// The pre-activations `v_j = b_j + Σᵢ w_{j,i}·xᵢ` as witnesses (`hint` overrides their values), tied
/// to the products by the packed equalities. **Not sound alone**: every `v_j` must then be decomposed
/// by a rescale of `n + s` bits, which the public functions below do.
fn pre_activations<F: PrimeField>(
    w: &[FpVar<F>],
    x: &[FpVar<F>],
    b: &[FpVar<F>],
    s: u32,
    n: u32,
    hint: Option<Vec<F>>,
) -> Result<Vec<FpVar<F>>, SynthesisError> {
    let (rows, cols) = (b.len(), x.len());
    if w.len() != rows * cols || rows == 0 || cols == 0 || n + s + 2 > 126 {
        return Err(SynthesisError::Unsatisfiable);
    }
    let cs = w.iter().chain(x).chain(b).fold(ark_relations::gr1cs::ConstraintSystemRef::None, |cs, v| cs.or(v.cs()));
    let honest = || -> Option<Vec<F>> {
        let xv: Vec<F> = x.iter().map(|v| v.value().ok()).collect::<Option<_>>()?;
        (0..rows)
            .map(|j| {
                let dot = (0..cols).map(|i| w[j * cols + i].value().ok().map(|wv| wv * xv[i])).sum::<Option<F>>()?;
                Some(dot + b[j].value().ok()?)
            })
            .collect()
    };
    let values = hint.or_else(honest);
    let v = (0..rows)
        .map(|j| {
            FpVar::new_witness(cs.clone(), || values.as_ref().map(|v| v[j]).ok_or(SynthesisError::AssignmentMissing))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let base = F::from(2u64).pow([u64::from(n + s + 2)]);
    for start in (0..rows).step_by(group_size(n, s)) {
        let group = start..(start + group_size(n, s)).min(rows);
        let digits = group.clone().map(|j| &v[j] - &b[j]).collect::<Vec<_>>();
        let factors: Vec<(&FpVar<F>, Vec<&FpVar<F>>)> =
            (0..cols).map(|i| (&x[i], group.clone().map(|j| &w[j * cols + i]).collect())).collect();
        enforce_packed_group(&digits, &factors, base)?;
    }
    Ok(v)
}

/// `clamp(rshift_round(b_j + Σᵢ w_{j,i}·xᵢ, s), 0, 127)` and its mask for each of the `b.len()` rows
/// of the row-major `w`. Cost: [`cost`] `+ rows·(n + s + 9)`.
pub fn dense_rshift_round_clamp<F: PrimeField>(
    w: &[FpVar<F>],
    x: &[FpVar<F>],
    b: &[FpVar<F>],
    s: u32,
    n: u32,
) -> Result<Vec<Clamped<F>>, SynthesisError> {
    pre_activations(w, x, b, s, n, None)?.iter().map(|v| rshift_round_clamp(v, s, n)).collect()
}

/// `rshift_round(b_j + Σᵢ w_{j,i}·xᵢ, s)` for each row. Cost: [`cost`] `+ rows·(n + s + 1)`.
pub fn dense_rshift_round<F: PrimeField>(
    w: &[FpVar<F>],
    x: &[FpVar<F>],
    b: &[FpVar<F>],
    s: u32,
    n: u32,
) -> Result<Vec<FpVar<F>>, SynthesisError> {
    dense_rshift_round_with_witness(w, x, b, s, n, None)
}

/// [`dense_rshift_round`] with the pre-activations supplied by the caller (a prover's hint,
/// possibly dishonest).
pub fn dense_rshift_round_with_witness<F: PrimeField>(
    w: &[FpVar<F>],
    x: &[FpVar<F>],
    b: &[FpVar<F>],
    s: u32,
    n: u32,
    hint: Option<Vec<F>>,
) -> Result<Vec<FpVar<F>>, SynthesisError> {
    pre_activations(w, x, b, s, n, hint)?.iter().map(|v| rshift_round(v, s, n)).collect()
}

/// Number of rows per group of [`enforce_packed_outer_update`] for digits of `digit_bits` bits.
#[must_use]
pub fn outer_group_size(digit_bits: u32) -> usize {
    (252 / (digit_bits as usize + 1)).max(1)
}

/// Constraints of [`enforce_packed_outer_update`] for a `rows × cols` update over `batch` samples
/// with an `s`-bit remainder.
#[must_use]
pub fn outer_update_cost(rows: usize, cols: usize, batch: usize, s: u32, digit_bits: u32) -> usize {
    cols * rows.div_ceil(outer_group_size(digit_bits)) * (batch + 1) + rows * cols * s as usize
}

/// Enforces the SGD update of a weight matrix whose gradient is a sum of outer products,
/// `q_{j,i} = rshift_round(Σ_b g_j^(b)·x_i^(b), s)` for every `(j, i)` (`q` row-major), with several
/// rows sharing each multiplication.
///
/// Each gradient entry is written through its rounding: `v_{j,i} = q_{j,i}·2^s + r_{j,i} − 2^(s−1)`
/// with the remainder `r` in `s` bits, a free linear combination. For each column `i` and group of
/// `k` rows, one equality `Σₗ v_{jₗ,i}·B^l = Σ_b x_i^(b)·(Σₗ g_{jₗ}^(b)·B^l)` (with `B = 2^(digit_bits+1)`)
/// costs `batch + 1` constraints instead of `k·batch`. Sound by the balanced-digit argument of the
/// module doc, given the caller's static bounds: `|Σ_b g_j^(b)·x_i^(b)| < 2^digit_bits` and
/// `|q_{j,i}|·2^s + 2^s < 2^digit_bits` for all in-range values, and `k·(digit_bits + 1) ≤ 252`.
///
/// Cost: [`outer_update_cost`].
pub fn enforce_packed_outer_update<F: PrimeField>(
    g: &[Vec<FpVar<F>>],
    x: &[Vec<FpVar<F>>],
    q: &[FpVar<F>],
    s: u32,
    digit_bits: u32,
) -> Result<(), SynthesisError> {
    enforce_packed_outer_update_with_witness(g, x, q, s, digit_bits, None)
}

/// [`enforce_packed_outer_update`] with the remainders (row-major) supplied by the caller.
pub fn enforce_packed_outer_update_with_witness<F: PrimeField>(
    g: &[Vec<FpVar<F>>],
    x: &[Vec<FpVar<F>>],
    q: &[FpVar<F>],
    s: u32,
    digit_bits: u32,
    hint: Option<Vec<u64>>,
) -> Result<(), SynthesisError> {
    let batch = g.len();
    let (rows, cols) = (g.first().map_or(0, Vec::len), x.first().map_or(0, Vec::len));
    if batch == 0
        || x.len() != batch
        || g.iter().any(|v| v.len() != rows)
        || x.iter().any(|v| v.len() != cols)
        || q.len() != rows * cols
        || s == 0
        || s > 63
        || digit_bits + 1 > 126
    {
        return Err(SynthesisError::Unsatisfiable);
    }
    let cs = q
        .iter()
        .chain(g.iter().flatten())
        .chain(x.iter().flatten())
        .fold(ark_relations::gr1cs::ConstraintSystemRef::None, |cs, v| cs.or(v.cs()));
    let pow2 = |e: u32| F::from(2u64).pow([u64::from(e)]);
    let half = pow2(s - 1);
    // The honest remainders: Σ_b g·x + 2^(s−1) − q·2^s, integers in [0, 2^s).
    let honest = || -> Option<Vec<u64>> {
        (0..rows * cols)
            .map(|k| {
                let (j, i) = (k / cols, k % cols);
                let v = (0..batch).map(|b| Some(g[b][j].value().ok()? * x[b][i].value().ok()?)).sum::<Option<F>>()?;
                let r = v + half - q[k].value().ok()? * pow2(s);
                // The low `s` bits (for a dishonest `q` these fail the equality).
                Some(r.into_bigint().as_ref()[0] & ((1u64 << s) - 1))
            })
            .collect()
    };
    let remainders = hint.or_else(honest);
    let base = pow2(digit_bits + 1);
    let k = outer_group_size(digit_bits);
    let mut v = Vec::with_capacity(rows * cols);
    for idx in 0..rows * cols {
        let bits = (0..s)
            .map(|t| {
                Boolean::new_witness(cs.clone(), || {
                    remainders.as_ref().map(|r| (r[idx] >> t) & 1 == 1).ok_or(SynthesisError::AssignmentMissing)
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut terms: Vec<(F, FpVar<F>)> =
            bits.iter().enumerate().map(|(t, b)| (pow2(t as u32), FpVar::from(b.clone()))).collect();
        terms.push((pow2(s), q[idx].clone()));
        v.push(weighted_sum(&terms, -half)?);
    }
    for i in 0..cols {
        for start in (0..rows).step_by(k) {
            let group = start..(start + k).min(rows);
            let digits: Vec<FpVar<F>> = group.clone().map(|j| v[j * cols + i].clone()).collect();
            let factors: Vec<(&FpVar<F>, Vec<&FpVar<F>>)> =
                (0..batch).map(|b| (&x[b][i], group.clone().map(|j| &g[b][j]).collect())).collect();
            enforce_packed_group(&digits, &factors, base)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        gadgets::test_util::{cs, fe, witness},
        native::quant::rshift_round as native,
    };
    use ark_bn254::Fr;
    use ark_relations::gr1cs::ConstraintSystemRef;
    use rand::{Rng, SeedableRng};

    fn vars(cs: &ConstraintSystemRef<Fr>, v: &[i64]) -> Vec<FpVar<Fr>> {
        v.iter().map(|&x| witness(cs, fe(i128::from(x)))).collect()
    }

    /// A layer with extreme and random values: 20 rows (several groups), 12 columns.
    fn layer(seed: u64) -> (Vec<i64>, Vec<i64>, Vec<i64>) {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(seed);
        let w = (0..240).map(|k| if k % 7 == 0 { -32768 } else { rng.gen_range(-32768..32768) }).collect();
        let x = (0..12).map(|k| if k % 5 == 0 { -128 } else { rng.gen_range(-128..128) }).collect();
        let b = (0..20).map(|_| rng.gen_range(-32768..32768)).collect();
        (w, x, b)
    }

    const S: u32 = 8;
    const N: u32 = 20; // |dot + b| ≤ 12·2^15·128 + 2^15 < 2^26, so the quotient fits in N bits

    #[test]
    fn packed_layer_matches_native_and_documented_cost() {
        for seed in 0..3 {
            let (w, x, b) = layer(seed);
            let cs = cs();
            let (wv, xv, bv) = (vars(&cs, &w), vars(&cs, &x), vars(&cs, &b));
            let before = cs.num_constraints();
            let out = dense_rshift_round(&wv, &xv, &bv, S, N).unwrap();
            assert!(cs.is_satisfied().unwrap());
            assert_eq!(cs.num_constraints() - before, cost(20, 12, N, S) + 20 * (N + S + 1) as usize);
            assert!(group_size(N, S) < 20, "several groups");
            for j in 0..20 {
                let dot: i64 = (0..12).map(|i| w[j * 12 + i] * x[i]).sum::<i64>() + b[j];
                assert_eq!(out[j].value().unwrap(), fe(i128::from(native(dot, S))));
            }
            let cs2 = cs.clone();
            let clamped = dense_rshift_round_clamp(&wv, &xv, &bv, S, N).unwrap();
            assert!(cs2.is_satisfied().unwrap());
            assert_eq!(clamped.len(), 20);
        }
    }

    #[test]
    fn a_wrong_pre_activation_is_rejected_in_every_position() {
        let (w, x, b) = layer(9);
        let honest: Vec<i64> = (0..20).map(|j| (0..12).map(|i| w[j * 12 + i] * x[i]).sum::<i64>() + b[j]).collect();
        {
            let cs = cs();
            let (wv, xv, bv) = (vars(&cs, &w), vars(&cs, &x), vars(&cs, &b));
            let hint: Vec<Fr> = honest.iter().map(|&v| fe(i128::from(v))).collect();
            let _ = dense_rshift_round_with_witness(&wv, &xv, &bv, S, N, Some(hint)).unwrap();
            assert!(cs.is_satisfied().unwrap(), "the honest hint");
        }
        for (j, delta) in [(0usize, 1i64), (5, -1), (13, 256), (19, 1 << 20)] {
            let cs = cs();
            let (wv, xv, bv) = (vars(&cs, &w), vars(&cs, &x), vars(&cs, &b));
            let mut hint: Vec<Fr> = honest.iter().map(|&v| fe(i128::from(v))).collect();
            hint[j] += fe(i128::from(delta));
            let _ = dense_rshift_round_with_witness(&wv, &xv, &bv, S, N, Some(hint)).unwrap();
            assert!(!cs.is_satisfied().unwrap(), "row {j} off by {delta}");
        }
        // Two rows of one group shifted against each other by one base unit (a carry): rejected.
        let cs = cs();
        let (wv, xv, bv) = (vars(&cs, &w), vars(&cs, &x), vars(&cs, &b));
        let mut hint: Vec<Fr> = honest.iter().map(|&v| fe(i128::from(v))).collect();
        let base = fe(1i128 << (N + S + 2));
        hint[0] += base;
        hint[1] -= fe(1);
        let _ = dense_rshift_round_with_witness(&wv, &xv, &bv, S, N, Some(hint)).unwrap();
        assert!(!cs.is_satisfied().unwrap(), "carry between digits");
    }

    /// An outer-product update: 3 samples, 13 rows (several groups), 5 columns, s = 6.
    fn outer(seed: u64) -> (Vec<Vec<i64>>, Vec<Vec<i64>>, Vec<i64>) {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(seed);
        let g: Vec<Vec<i64>> =
            (0..3).map(|_| (0..13).map(|_| rng.gen_range(-(1i64 << 20)..1 << 20)).collect()).collect();
        let x: Vec<Vec<i64>> = (0..3).map(|_| (0..5).map(|_| rng.gen_range(-128..128)).collect()).collect();
        let q = (0..65).map(|k| native((0..3).map(|b| g[b][k / 5] * x[b][k % 5]).sum(), 6)).collect();
        (g, x, q)
    }

    const DIGITS: u32 = 30; // |Σ g·x| ≤ 3·2^20·128 < 2^29; |q|·2^6 < 2^30

    fn run_outer(g: &[Vec<i64>], x: &[Vec<i64>], q: &[i64], hint: Option<Vec<u64>>) -> (bool, usize) {
        let cs = cs();
        let gv: Vec<Vec<FpVar<Fr>>> = g.iter().map(|r| vars(&cs, r)).collect();
        let xv: Vec<Vec<FpVar<Fr>>> = x.iter().map(|r| vars(&cs, r)).collect();
        let qv = vars(&cs, q);
        let before = cs.num_constraints();
        enforce_packed_outer_update_with_witness(&gv, &xv, &qv, 6, DIGITS, hint).unwrap();
        (cs.is_satisfied().unwrap(), cs.num_constraints() - before)
    }

    #[test]
    fn packed_outer_update_accepts_the_rounded_gradient_only() {
        let (g, x, q) = outer(4);
        assert!(outer_group_size(DIGITS) < 13, "several groups");
        assert_eq!(run_outer(&g, &x, &q, None), (true, outer_update_cost(13, 5, 3, 6, DIGITS)));
        // A quotient off by one in any position (a wrong gradient step), with any remainder.
        for k in [0usize, 7, 33, 64] {
            for delta in [1i64, -1] {
                let mut bad = q.clone();
                bad[k] += delta;
                assert!(!run_outer(&g, &x, &bad, None).0, "q[{k}] off by {delta}");
                let v: i64 = (0..3).map(|b| g[b][k / 5] * x[b][k % 5]).sum();
                let r = v + 32 - bad[k] * 64;
                let mut hint: Vec<u64> = (0..65)
                    .map(|j| ((0..3).map(|b| g[b][j / 5] * x[b][j % 5]).sum::<i64>() + 32 - q[j] * 64) as u64)
                    .collect();
                hint[k] = r.rem_euclid(64) as u64;
                assert!(!run_outer(&g, &x, &bad, Some(hint)).0, "q[{k}] off by {delta}, remainder mod 64");
            }
        }
        // A carry between two rows of one group (q of row 0 one base unit higher, row 1 compensating).
        let mut bad = q.clone();
        bad[0] += 1 << (DIGITS + 1 - 6);
        bad[5] -= 1;
        assert!(!run_outer(&g, &x, &bad, None).0, "carry");
        // A gradient sample changed.
        let mut other = g.clone();
        other[1][2] += 1 << 10;
        assert!(!run_outer(&other, &x, &q, None).0, "another gradient");
    }
}
