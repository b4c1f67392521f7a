//! Tests of the evaluation circuit: the honest score, rejected false scores, sets and heads, the
//! exact constraint count.

use super::{constraint_count, EvalCircuit, EvalShape};
use crate::{
    mlp::head,
    native::dataset::{DatasetTree, Sample},
    native::trainer::{Mlp, TrainConfig},
    statement::eval::EvalStatement,
};
use ark_bn254::Fr;
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystem};
use rand::{Rng, SeedableRng};

fn satisfied(c: EvalCircuit<Fr>) -> (bool, usize) {
    let cs = ConstraintSystem::<Fr>::new_ref();
    c.generate_constraints(cs.clone()).unwrap();
    (cs.is_satisfied().unwrap(), cs.num_constraints())
}

fn samples(n: usize, d: usize, classes: usize, seed: u64) -> Vec<Sample> {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(seed);
    (0..n)
        .map(|_| Sample { features: (0..d).map(|_| rng.gen::<i8>()).collect(), label: rng.gen_range(0..classes) as u8 })
        .collect()
}

/// A trained-ish 8-4-3 model (a few native steps) so predictions are mixed right and wrong.
fn model(cfg: &TrainConfig) -> Mlp {
    let mut m = Mlp::seeded(8, 4, 3, 3, cfg);
    for step in 0..6 {
        let batch = samples(4, 8, 3, 50 + step);
        let pairs: Vec<(&[i8], u8)> = batch.iter().map(|s| (s.features.as_slice(), s.label)).collect();
        m = m.step(&pairs, cfg).unwrap();
    }
    m
}

const EVALUATOR: [u8; 20] = [0xab; 20];

#[test]
fn honest_score_matches_native_for_padded_and_full_trees() {
    let cfg = TrainConfig { lr_shift1: 7, lr_shift2: 7, ..TrainConfig::default() };
    let m = model(&cfg);
    let salt = Fr::from(77u64);
    for n in [1usize, 5, 8] {
        let set = DatasetTree::<Fr>::new(samples(n, 8, 3, 900 + n as u64)).unwrap();
        let (c, st) = EvalCircuit::new(&m, &set, EVALUATOR, &cfg, salt).unwrap();
        assert_eq!(st.score, m.evaluate(set.samples(), &cfg).unwrap());
        assert_eq!(st.score.total, n as u32);
        assert_eq!(st.head, head(&m, &cfg, salt));
        assert_eq!(st.eval_root, set.root());
        assert_eq!(
            satisfied(c),
            (true, constraint_count(&EvalShape { inputs: 8, hidden: 4, classes: 3, samples: n }, &cfg)),
            "n = {n}"
        );
    }
}

#[test]
fn a_false_score_or_a_different_set_or_head_is_rejected() {
    let cfg = TrainConfig { lr_shift1: 7, lr_shift2: 7, ..TrainConfig::default() };
    let m = model(&cfg);
    let salt = Fr::from(5u64);
    let set = DatasetTree::<Fr>::new(samples(6, 8, 3, 4)).unwrap();
    let (good, st) = EvalCircuit::new(&m, &set, EVALUATOR, &cfg, salt).unwrap();
    assert!(satisfied(good.clone()).0);
    assert!(st.score.correct > 0 && st.score.correct < st.score.total, "mixed predictions: {:?}", st.score);
    let with = |f: &dyn Fn(&mut EvalStatement<Fr>)| {
        let mut c = good.clone();
        let mut s = st;
        f(&mut s);
        c.statement = Some(s);
        satisfied(c).0
    };
    assert!(!with(&|s| s.score.correct += 1), "one more correct");
    assert!(!with(&|s| s.score.correct -= 1), "one fewer correct");
    assert!(!with(&|s| s.score.loss_sum -= 1), "a lower loss");
    assert!(!with(&|s| s.score.total += 1), "another total");
    // (Another evaluator is another public input: `prover/tests/training.rs` checks that a proof
    // verifies for no other address.)
    assert!(!with(&|s| s.eval_root += Fr::from(1u64)), "another root");
    assert!(!with(&|s| s.head += Fr::from(1u64)), "another head");

    // A sample not in the committed set: the leaf changes, so the root does.
    let mut c = good.clone();
    let mut other = set.samples().to_vec();
    other[2].features[0] = other[2].features[0].wrapping_add(1);
    c.samples = Some(other);
    assert!(!satisfied(c).0, "a changed sample");
    // A relabelled sample, and the set reordered.
    let mut c = good.clone();
    let mut other = set.samples().to_vec();
    other[1].label = (other[1].label + 1) % 3;
    c.samples = Some(other);
    assert!(!satisfied(c).0, "a changed label");
    let mut c = good.clone();
    let mut other = set.samples().to_vec();
    other.swap(0, 1);
    c.samples = Some(other);
    assert!(!satisfied(c).0, "the set reordered");
    // Other weights (their own honest score) under the committed head.
    let mut wrong = m.clone();
    wrong.w2[0] += 3;
    let (mut c, wrong_st) = EvalCircuit::new(&wrong, &set, EVALUATOR, &cfg, salt).unwrap();
    c.statement = Some(EvalStatement { head: st.head, ..wrong_st });
    assert!(!satisfied(c).0, "weights not matching the head");
    let mut c = good;
    c.salt = Some(Fr::from(6u64));
    assert!(!satisfied(c).0, "wrong salt");
}

#[test]
fn digits_shape_cost() {
    let cfg = TrainConfig::default();
    let m = Mlp::seeded(64, 32, 10, 7, &cfg);
    let set = DatasetTree::<Fr>::new(samples(4, 64, 10, 1)).unwrap();
    let (c, _) = EvalCircuit::new(&m, &set, EVALUATOR, &cfg, Fr::from(1u64)).unwrap();
    let shape = EvalShape { inputs: 64, hidden: 32, classes: 10, samples: 4 };
    assert_eq!(satisfied(c), (true, constraint_count(&shape, &cfg)));
    let fixed = constraint_count(&EvalShape { samples: 1, ..shape }, &cfg);
    let n64 = constraint_count(&EvalShape { samples: 64, ..shape }, &cfg);
    println!("digits 64-32-10 evaluation: {n64} constraints for 64 samples ({fixed} with one)");
}
