//! Data provenance over the real digits training split: a Poseidon Merkle tree over its 1,257 samples,
//! and membership proofs (constraint systems) for samples picked by seed-derived batch indices.

use std::path::PathBuf;

use ark_bn254::Fr;
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystem};
use mlproof_circuits::{dataset::DatasetTree, dataset::MembershipCircuit, gadgets::batch_index::batch_indices_native};
use mlproof_import::dataset::Digits;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn satisfied(c: MembershipCircuit<Fr>) -> bool {
    let cs = ConstraintSystem::<Fr>::new_ref();
    c.generate_constraints(cs.clone()).unwrap();
    cs.is_satisfied().unwrap()
}

#[test]
fn digits_training_split_tree_proves_membership_of_batch_samples() {
    let digits = Digits::load(&root()).unwrap();
    let samples = digits.train_samples();
    assert_eq!(samples.len(), 1257);
    let tree = DatasetTree::<Fr>::new(samples.clone()).unwrap();
    assert_eq!(tree.depth(), 11, "1,257 samples padded to 2,048 leaves");
    assert_eq!(DatasetTree::<Fr>::new(samples.clone()).unwrap().root(), tree.root(), "deterministic");

    // A batch of 4 drawn from a seed, plus a padding leaf (2047 holds sample 2047 − 1257 = 790).
    let mut indices = batch_indices_native(Fr::from(20_240_601u64), 0, 4, tree.depth()).unwrap();
    indices.push(2047);
    for &index in &indices {
        let c = MembershipCircuit::new(&tree, index).unwrap();
        assert_eq!(c.sample, samples[index as usize % 1257]);
        assert!(satisfied(c.clone()), "leaf {index}");

        let mut bad = c.clone();
        let k = bad.sample.features.iter().position(|&v| v < 127).unwrap();
        bad.sample.features[k] += 1;
        assert!(!satisfied(bad), "leaf {index}: a pixel changed is not in the data set");
        let mut bad = c.clone();
        bad.sample.label = (bad.sample.label + 1) % 10;
        assert!(!satisfied(bad), "leaf {index}: relabelled");
    }

    // A held-out (test split) image is not in the tree under any index's path.
    let held_out = digits.test[0];
    let mut c = MembershipCircuit::new(&tree, indices[0]).unwrap();
    c.sample.features = digits.quantized_input(held_out);
    c.sample.label = digits.labels[held_out];
    assert!(!satisfied(c));
}
