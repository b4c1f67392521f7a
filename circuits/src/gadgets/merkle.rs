//! Membership of a training sample in the data set tree ([`crate::dataset`]), in the circuit.
//!
//! The sample comes in as int8 feature variables **already range-checked** by the caller (the training
//! circuit needs them as model inputs anyway; [`super::private_tensor::alloc`] gives both values and
//! words at 8 constraints per value). The range check is what makes the base-256 packing unique: with
//! unchecked values, `(v₀ + 256, v₁ − 1)` would pack like `(v₀, v₁)`. The label is not range-checked
//! here: the leaf hash binds its exact field value to the one in the tree.
//!
//! Index bits are little-endian Booleans, already constrained (e.g. from [`super::batch_index`]):
//! bit `l` = 1 means the path node at height `l` is a right child. At each level one conditional swap
//! orders (current, sibling): `left = b ? sibling : current` (1 constraint, a `select`) and
//! `right = current + sibling − left` (free).
//!
//! Cost, measured by the tests below, for `f` features (`w = ceil(f / 31)` packed words) and depth `d`:
//! * leaf hash: **240 + 243·(ceil((3 + w) / 2) − 2)** constraints, as [`super::poseidon`]'s commitment
//!   of `w` words (tag and length are constants, so the first permutation is free). 64 features: 483.
//! * per level: **481** = 480 for the node hash (its first permutation has two constant lanes, tag and
//!   capacity, so 2 of its full-round S-boxes are free: 237 + 243) + 1 for the swap.
//! * the root equality: 1.
//!
//! 64 features, depth 11 (the digits training split): 483 + 11·481 + 1 = **5,775 constraints**.

use ark_crypto_primitives::sponge::{constraints::CryptographicSpongeVar, poseidon::constraints::PoseidonSpongeVar};
use ark_ff::PrimeField;
use ark_r1cs_std::{boolean::Boolean, eq::EqGadget, fields::fp::FpVar, GR1CSVar};
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};

use crate::native::dataset::{leaf_tag, node_tag};
use crate::native::poseidon::config;

fn hash<F: PrimeField>(elems: &[FpVar<F>]) -> Result<FpVar<F>, SynthesisError> {
    let cs = elems.iter().fold(ConstraintSystemRef::None, |cs, v| cs.or(v.cs()));
    let mut sponge = PoseidonSpongeVar::new(cs, &config::<F>());
    sponge.absorb(&elems)?;
    Ok(sponge.squeeze_field_elements(1)?.remove(0))
}

/// Leaf hash from packed feature `words` holding `count` int8 values (words built from range-checked
/// bytes, as [`super::private_tensor::alloc`] makes them).
pub fn leaf_hash_words<F: PrimeField>(
    words: &[FpVar<F>],
    count: u64,
    label: &FpVar<F>,
) -> Result<FpVar<F>, SynthesisError> {
    let mut elems = vec![FpVar::Constant(leaf_tag::<F>()), FpVar::Constant(F::from(count))];
    elems.extend_from_slice(words);
    elems.push(label.clone());
    hash(&elems)
}

/// Leaf hash from int8 `features`, each already constrained to [-128, 127]. Packing is free.
pub fn leaf_hash<F: PrimeField>(features: &[FpVar<F>], label: &FpVar<F>) -> Result<FpVar<F>, SynthesisError> {
    leaf_hash_words(&super::pack::packed_words(features)?, features.len() as u64, label)
}

/// Internal node hash `Poseidon(NODE_TAG, left, right)`. Cost: 480 constraints.
pub fn node_hash<F: PrimeField>(left: &FpVar<F>, right: &FpVar<F>) -> Result<FpVar<F>, SynthesisError> {
    hash(&[FpVar::Constant(node_tag::<F>()), left.clone(), right.clone()])
}

/// The root reached from `leaf` along `siblings` (bottom first), turning by `index_bits`
/// (little-endian, one per sibling). Cost: 481 constraints per level.
pub fn root_from_path<F: PrimeField>(
    leaf: &FpVar<F>,
    index_bits: &[Boolean<F>],
    siblings: &[FpVar<F>],
) -> Result<FpVar<F>, SynthesisError> {
    if index_bits.len() != siblings.len() {
        return Err(SynthesisError::Unsatisfiable);
    }
    let mut cur = leaf.clone();
    for (bit, sib) in index_bits.iter().zip(siblings) {
        let left = bit.select(sib, &cur)?;
        let right = &cur + sib - &left;
        cur = node_hash(&left, &right)?;
    }
    Ok(cur)
}

/// Enforces that the sample (`features`, `label`) is the leaf at `index_bits` of the tree with `root`.
pub fn enforce_membership<F: PrimeField>(
    features: &[FpVar<F>],
    label: &FpVar<F>,
    index_bits: &[Boolean<F>],
    siblings: &[FpVar<F>],
    root: &FpVar<F>,
) -> Result<(), SynthesisError> {
    let leaf = leaf_hash(features, label)?;
    root_from_path(&leaf, index_bits, siblings)?.enforce_equal(root)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        gadgets::test_util::{cs, fe, witness},
        native::dataset::{DatasetTree, Sample},
    };
    use ark_bn254::Fr;
    use ark_r1cs_std::alloc::AllocVar;

    fn samples(n: usize) -> Vec<Sample> {
        (0..n)
            .map(|i| Sample {
                features: (0..64).map(|k| ((i * 53 + k * 11) % 256) as u8 as i8).collect(),
                label: (i % 10) as u8,
            })
            .collect()
    }

    /// What the prover feeds the gadget; tests tamper with it.
    #[derive(Clone)]
    struct Claim {
        features: Vec<i8>,
        label: u8,
        index: u64,
        siblings: Vec<Fr>,
        root: Fr,
    }

    fn honest(tree: &DatasetTree<Fr>, index: u64) -> Claim {
        let s = tree.sample(index).unwrap();
        Claim {
            features: s.features.clone(),
            label: s.label,
            index,
            siblings: tree.path(index).unwrap().siblings,
            root: tree.root(),
        }
    }

    /// Builds the membership check; returns (satisfied, constraints of the gadget alone, system).
    fn check(c: &Claim) -> (bool, usize, ConstraintSystemRef<Fr>) {
        let cs = cs();
        let features: Vec<_> = c.features.iter().map(|&v| witness(&cs, fe(i128::from(v)))).collect();
        let label = witness(&cs, Fr::from(c.label));
        let bits: Vec<_> = (0..c.siblings.len())
            .map(|l| Boolean::new_witness(cs.clone(), || Ok((c.index >> l) & 1 == 1)).unwrap())
            .collect();
        let siblings: Vec<_> = c.siblings.iter().map(|&s| witness(&cs, s)).collect();
        let root = FpVar::new_input(cs.clone(), || Ok(c.root)).unwrap();
        let before = cs.num_constraints();
        enforce_membership(&features, &label, &bits, &siblings, &root).unwrap();
        (cs.is_satisfied().unwrap(), cs.num_constraints() - before, cs)
    }

    #[test]
    fn honest_paths_satisfy_at_the_documented_cost() {
        for (n, d) in [(1usize, 0usize), (2, 1), (5, 3), (11, 4)] {
            let tree = DatasetTree::<Fr>::new(samples(n)).unwrap();
            for index in 0..1u64 << d {
                let (ok, cost, _) = check(&honest(&tree, index));
                assert!(ok, "n = {n}, index {index}");
                assert_eq!(cost, 483 + 481 * d + 1, "n = {n}, depth {d}");
            }
        }
    }

    #[test]
    fn leaf_hash_matches_native_for_other_lengths() {
        let config = config::<Fr>();
        for len in [0usize, 1, 31, 32, 62, 100] {
            let s = Sample { features: (0..len).map(|k| (k as i8).wrapping_mul(37)).collect(), label: 7 };
            let cs = cs();
            let f: Vec<_> = s.features.iter().map(|&v| witness(&cs, fe(i128::from(v)))).collect();
            let label = witness(&cs, Fr::from(s.label));
            let h = leaf_hash(&f, &label).unwrap();
            assert_eq!(h.value().unwrap(), crate::native::dataset::leaf_hash(&config, &s), "len {len}");
            if len > 0 {
                let p = (3 + len.div_ceil(31)).div_ceil(2);
                assert_eq!(cs.num_constraints(), 240 + 243 * (p - 2), "len {len}");
            }
        }
    }

    #[test]
    fn tampered_claims_are_rejected() {
        let tree = DatasetTree::<Fr>::new(samples(11)).unwrap();
        let good = honest(&tree, 13);
        assert!(check(&good).0);
        let mut cases: Vec<(&str, Claim)> = Vec::new();
        let mut c = good.clone();
        c.features[40] = c.features[40].wrapping_add(1);
        cases.push(("a sample not in the data set (one feature changed)", c));
        let mut c = good.clone();
        c.label = (c.label + 1) % 10;
        cases.push(("wrong label", c));
        for l in 0..4 {
            let mut c = good.clone();
            c.index ^= 1 << l;
            cases.push(("wrong index bit", c));
        }
        let mut c = good.clone();
        c.siblings[2] += Fr::from(1u64);
        cases.push(("wrong sibling", c));
        let mut c = good.clone();
        c.root += Fr::from(1u64);
        cases.push(("wrong root", c));
        for (what, c) in cases {
            assert!(!check(&c).0, "{what} (index {})", c.index);
        }
    }

    #[test]
    fn depth_mismatch_is_an_error() {
        let cs = cs();
        let leaf = witness(&cs, Fr::from(1u64));
        let bit = Boolean::new_witness(cs.clone(), || Ok(true)).unwrap();
        assert!(root_from_path(&leaf, &[bit], &[]).is_err());
    }
}
