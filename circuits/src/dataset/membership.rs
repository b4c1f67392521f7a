//! A stand-alone membership statement: "leaf `index` of the data set tree with root `root` is a sample I
//! know". Public inputs: `[root, index]`. The sample and the path are private.
//!
//! It is the provenance part of a training-step proof on its own: features are allocated through their
//! bits ([`crate::gadgets::private_tensor`], 8 constraints each, which range-checks them to int8 and
//! makes the packed words free), the public index is decomposed into `d` bits
//! ([`crate::gadgets::bits`], `d + 1`), then [`crate::gadgets::merkle`] checks the path.
//!
//! Cost for `f` features, depth `d`: `8·f + (d + 1) + leaf hash + 481·d + 1`; for the digits training
//! split (f = 64, d = 11): 512 + 12 + 483 + 5,291 + 1 = **6,299 constraints**.

use ark_crypto_primitives::sponge::Absorb;
use ark_ff::PrimeField;
use ark_r1cs_std::{alloc::AllocVar, fields::fp::FpVar};
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError};

use crate::{
    gadgets::{bits::decompose_le, merkle, private_tensor},
    native::dataset::{DatasetTree, Result, Sample},
};

/// The membership circuit's assignment. Fields are public so that tests can play a cheating prover.
#[derive(Clone, Debug)]
pub struct MembershipCircuit<F> {
    /// Tree root (public input 0).
    pub root: F,
    /// Leaf index (public input 1), `< 2^depth`.
    pub index: u64,
    /// Tree depth (circuit shape).
    pub depth: u32,
    /// The sample at the leaf (private).
    pub sample: Sample,
    /// Its authentication path (private), `depth` siblings.
    pub siblings: Vec<F>,
}

impl<F: PrimeField + Absorb> MembershipCircuit<F> {
    /// The honest assignment for leaf `index` of `tree`.
    pub fn new(tree: &DatasetTree<F>, index: u64) -> Result<Self> {
        Ok(Self {
            root: tree.root(),
            index,
            depth: tree.depth(),
            sample: tree.sample(index)?.clone(),
            siblings: tree.path(index)?.siblings,
        })
    }

    /// The public inputs, in allocation order.
    #[must_use]
    pub fn public_inputs(&self) -> Vec<F> {
        vec![self.root, F::from(self.index)]
    }
}

impl<F: PrimeField> ConstraintSynthesizer<F> for MembershipCircuit<F> {
    fn generate_constraints(self, cs: ConstraintSystemRef<F>) -> Result<(), SynthesisError> {
        let root = FpVar::new_input(cs.clone(), || Ok(self.root))?;
        let index = FpVar::new_input(cs.clone(), || Ok(F::from(self.index)))?;
        let values: Vec<i64> = self.sample.features.iter().map(|&v| i64::from(v)).collect();
        let features = private_tensor::alloc(&cs, Some(&values), values.len(), 8)?;
        let label = FpVar::new_witness(cs.clone(), || Ok(F::from(self.sample.label)))?;
        let siblings =
            self.siblings.iter().map(|&s| FpVar::new_witness(cs.clone(), || Ok(s))).collect::<Result<Vec<_>, _>>()?;
        if siblings.len() != self.depth as usize {
            return Err(SynthesisError::Unsatisfiable);
        }
        let bits = decompose_le(&index, self.depth)?;
        merkle::enforce_membership(&features.values, &label, &bits, &siblings, &root)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_bn254::Fr;
    use ark_relations::gr1cs::ConstraintSystem;

    fn satisfied(c: MembershipCircuit<Fr>) -> (bool, usize) {
        let cs = ConstraintSystem::<Fr>::new_ref();
        c.generate_constraints(cs.clone()).unwrap();
        (cs.is_satisfied().unwrap(), cs.num_constraints())
    }

    fn tree() -> DatasetTree<Fr> {
        let samples = (0..1257)
            .map(|i| Sample {
                features: (0..64).map(|k| ((i * 13 + k * 5) % 128) as i8).collect(),
                label: (i % 10) as u8,
            })
            .collect();
        DatasetTree::new(samples).unwrap()
    }

    #[test]
    fn honest_membership_costs_as_documented_and_tampering_fails() {
        let tree = tree();
        assert_eq!(tree.depth(), 11);
        let good = MembershipCircuit::new(&tree, 1500).unwrap();
        assert_eq!(satisfied(good.clone()), (true, 6299));
        let mut c = good.clone();
        c.sample.features[0] += 1;
        assert!(!satisfied(c).0, "feature");
        let mut c = good.clone();
        c.sample.label ^= 1;
        assert!(!satisfied(c).0, "label");
        let mut c = good.clone();
        c.index ^= 1 << 10;
        assert!(!satisfied(c).0, "index");
        let mut c = good.clone();
        c.index += 2048;
        assert!(!satisfied(c).0, "index beyond the tree");
        let mut c = good.clone();
        c.siblings[10] = c.siblings[9];
        assert!(!satisfied(c).0, "sibling");
        let mut c = good;
        c.root = Fr::from(0u64);
        assert!(!satisfied(c).0, "root");
    }
}
