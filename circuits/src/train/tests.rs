//! Tests of the training-step circuit: agreement with the native step, rejection of wrong
//! weights, samples and provenance, exact constraint counts.

use super::{circuit::TrainStepCircuit, constraint_count, head, TrainShape};
use crate::{
    gadgets::batch_index::batch_indices_native,
    mlp::Widths,
    native::dataset::{DatasetTree, Sample},
    native::trainer::{Mlp, TrainConfig},
    statement::{
        payee::address_to_field,
        train::{DataStatement, TrainStatement},
    },
};
use ark_bn254::Fr;
use ark_ff::Field;
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystem};
use rand::{Rng, SeedableRng};

fn satisfied(c: TrainStepCircuit<Fr>) -> (bool, usize) {
    let cs = ConstraintSystem::<Fr>::new_ref();
    c.generate_constraints(cs.clone()).unwrap();
    (cs.is_satisfied().unwrap(), cs.num_constraints())
}

/// Synthetic int8 samples (features over the whole int8 range when `signed`, else 0..=127).
fn samples(n: usize, d: usize, classes: usize, signed: bool, seed: u64) -> Vec<Sample> {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(seed);
    (0..n)
        .map(|_| Sample {
            features: (0..d).map(|_| if signed { rng.gen::<i8>() } else { rng.gen_range(0..=127) }).collect(),
            label: rng.gen_range(0..classes) as u8,
        })
        .collect()
}

fn small_cfg() -> TrainConfig {
    TrainConfig { lr_shift1: 7, lr_shift2: 7, ..TrainConfig::default() }
}

#[test]
fn small_model_agrees_with_native_over_consecutive_steps() {
    let cfg = small_cfg();
    let salt = Fr::from(0x5a17u64);
    let mut m = Mlp::seeded(8, 4, 3, 1, &cfg);
    let shape = TrainShape { inputs: 8, hidden: 4, classes: 3, batch: 2, steps: 1, depth: None };
    let (mut masked, mut open) = (0, 0);
    for step in 0..3u64 {
        let batch = samples(2, 8, 3, true, 100 + step);
        for s in &batch {
            for &h in &m.forward(&s.features, &cfg).unwrap().h {
                if h == 0 || h == 127 {
                    masked += 1
                } else {
                    open += 1
                }
            }
        }
        let (circuit, st, after) = TrainStepCircuit::new(&m, &batch, &cfg, salt).unwrap();
        assert_eq!(st.head_before, head(&m, &cfg, salt));
        assert_eq!(st.head_after, head(&after, &cfg, salt));
        assert_ne!(after, m, "step {step} must move the weights");
        assert_eq!(satisfied(circuit), (true, constraint_count(&shape, &cfg)), "step {step}");
        m = after;
    }
    let fixed = constraint_count(&TrainShape { batch: 0, ..shape }, &cfg);
    println!(
        "8-4-3, B = 2: {} constraints ({fixed} fixed + {} per sample)",
        constraint_count(&shape, &cfg),
        (constraint_count(&shape, &cfg) - fixed) / 2
    );
    assert!(masked > 0 && open > 0, "the batches exercise both sides of the mask ({masked}, {open})");
}

#[test]
fn claimed_weights_other_than_the_native_step_are_rejected() {
    let cfg = small_cfg();
    let salt = Fr::from(9u64);
    let m = Mlp::seeded(8, 4, 3, 2, &cfg);
    let batch = samples(2, 8, 3, true, 7);
    let (good, _, after) = TrainStepCircuit::new(&m, &batch, &cfg, salt).unwrap();
    assert!(satisfied(good.clone()).0);

    // A wrong gradient: one updated weight off by one in each tensor (heads consistent with it).
    for (layer, pick) in [("w1", 0usize), ("b1", 1), ("w2", 2), ("b2", 3)] {
        for delta in [1i64, -1] {
            let mut bad = after.clone();
            let t = match pick {
                0 => &mut bad.w1,
                1 => &mut bad.b1,
                2 => &mut bad.w2,
                _ => &mut bad.b2,
            };
            *t.last_mut().unwrap() += delta;
            let mut c = good.clone();
            c.statement = Some(TrainStatement {
                head_before: head(&m, &cfg, salt),
                head_after: head(&bad, &cfg, salt),
                data: None,
            });
            c.after = Some(bad);
            assert!(!satisfied(c).0, "{layer} off by {delta}");
        }
    }

    // The honest weights but the wrong headAfter.
    let mut c = good.clone();
    c.statement =
        Some(TrainStatement { head_before: head(&m, &cfg, salt), head_after: head(&m, &cfg, salt), data: None });
    assert!(!satisfied(c).0, "headAfter of the unchanged weights");

    // A different sample in the batch (one that changes the update).
    let mut other = batch.clone();
    other[1].features[3] = other[1].features[3].wrapping_add(64);
    let pairs: Vec<(&[i8], u8)> = other.iter().map(|s| (s.features.as_slice(), s.label)).collect();
    assert_ne!(m.step(&pairs, &cfg).unwrap(), after, "the tampered sample must change the step");
    let mut c = good.clone();
    c.batch = Some(other);
    assert!(!satisfied(c).0, "wrong sample feature");
    let mut other = batch.clone();
    other[0].label = (other[0].label + 1) % 3;
    let pairs: Vec<(&[i8], u8)> = other.iter().map(|s| (s.features.as_slice(), s.label)).collect();
    assert_ne!(m.step(&pairs, &cfg).unwrap(), after, "the tampered label must change the step");
    let mut c = good.clone();
    c.batch = Some(other);
    assert!(!satisfied(c).0, "wrong label");

    // Weights that do not match headBefore (their own honest step as the after weights).
    let mut wrong = m.clone();
    wrong.w1[5] += 1;
    let (mut c, _, wrong_after) = TrainStepCircuit::new(&wrong, &batch, &cfg, salt).unwrap();
    c.statement = Some(TrainStatement {
        head_before: head(&m, &cfg, salt),
        head_after: head(&wrong_after, &cfg, salt),
        data: None,
    });
    assert!(!satisfied(c).0, "weights not matching headBefore");

    // The wrong salt.
    let mut c = good;
    c.salt = Some(Fr::from(10u64));
    assert!(!satisfied(c).0, "wrong salt");
}

#[test]
fn digits_shape_agrees_with_native_and_reports_cost() {
    let cfg = TrainConfig::default();
    let salt = Fr::from(77u64);
    let mut m = Mlp::seeded(64, 32, 10, 3, &cfg);
    let shape = TrainShape { inputs: 64, hidden: 32, classes: 10, batch: 2, steps: 1, depth: None };
    let widths = Widths::for_dims(&shape.dims(), &cfg);
    let total = constraint_count(&shape, &cfg);
    let fixed = constraint_count(&TrainShape { batch: 0, ..shape }, &cfg);
    println!(
        "digits 64-32-10, B = 2: widths {widths:?}, {total} constraints ({fixed} fixed + {} per sample)",
        (total - fixed) / 2
    );
    for step in 0..2u64 {
        let batch = samples(2, 64, 10, false, 200 + step);
        let (circuit, st, after) = TrainStepCircuit::new(&m, &batch, &cfg, salt).unwrap();
        assert_eq!(st.head_after, head(&after, &cfg, salt));
        assert_ne!(after, m);
        assert_eq!(satisfied(circuit), (true, total), "step {step}");
        m = after;
    }
}

/// The circuit with its batch (and paths) replaced, and the after weights and head recomputed
/// honestly from that batch: only provenance can reject it.
fn with_batch(mut c: TrainStepCircuit<Fr>, batch: Vec<Sample>, paths: Vec<Vec<Fr>>, salt: Fr) -> TrainStepCircuit<Fr> {
    let cfg = c.cfg;
    let before = c.before.clone().unwrap();
    let pairs: Vec<(&[i8], u8)> = batch.iter().map(|s| (s.features.as_slice(), s.label)).collect();
    let after = before.step(&pairs, &cfg).unwrap();
    let mut st = c.statement.unwrap();
    st.head_after = head(&after, &cfg, salt);
    c.statement = Some(st);
    c.after = Some(after);
    c.batch = Some(batch);
    c.paths = Some(paths);
    c
}

#[test]
fn provenance_binds_the_batch_to_the_seed_and_the_data_set() {
    let cfg = small_cfg();
    let (salt, seed, prover) = (Fr::from(31u64), Fr::from(0xfeedu64), [0x11u8; 20]);
    let tree = DatasetTree::<Fr>::new(samples(5, 8, 3, true, 42)).unwrap();
    assert_eq!(tree.depth(), 3);
    let mut m = Mlp::seeded(8, 4, 3, 4, &cfg);
    for step in 0..3u64 {
        let (c, st, after) = TrainStepCircuit::from_dataset(&m, &tree, 2, seed, step, prover, &cfg, salt).unwrap();
        let inputs = st.public_inputs();
        assert_eq!(inputs.len(), 5);
        assert_eq!(inputs[4], Fr::from(step) + address_to_field::<Fr>(&prover) * Fr::from(2u64).pow([88u64]));
        let shape = c.shape;
        assert_eq!(satisfied(c.clone()), (true, constraint_count(&shape, &cfg)), "step {step}");
        if step == 0 {
            let idx = batch_indices_native(seed, step, 2, 3).unwrap();
            // Another seed or step selects other samples.
            let differs = |s2: Fr, t2: u64| batch_indices_native(s2, t2, 2, 3).unwrap() != idx;
            let seed2 = (1u64..).map(|k| seed + Fr::from(k)).find(|&s2| differs(s2, step)).unwrap();
            let step2 = (step + 1..).find(|&t2| differs(seed, t2)).unwrap();
            for (what, seed2, step2) in [("seed", seed2, step), ("step", seed, step2)] {
                let mut c2 = c.clone();
                let mut st2 = st;
                st2.data = Some(DataStatement { seed: seed2, step: step2, ..st.data.unwrap() });
                c2.statement = Some(st2);
                assert!(!satisfied(c2).0, "wrong {what}");
            }
            // A member of the data set, with its valid path, but not at the index the seed picks.
            let other = (0..8u64).find(|&j| j % 5 != idx[0] % 5 && j % 5 != idx[1] % 5).unwrap();
            let mut batch = c.batch.clone().unwrap();
            let mut paths = c.paths.clone().unwrap();
            batch[0] = tree.sample(other).unwrap().clone();
            paths[0] = tree.path(other).unwrap().siblings;
            assert!(!satisfied(with_batch(c.clone(), batch, paths, salt)).0, "a sample the seed did not pick");
            // A sample that is not in the data set.
            let mut batch = c.batch.clone().unwrap();
            batch[1].features[0] = batch[1].features[0].wrapping_add(1);
            assert!(
                !satisfied(with_batch(c.clone(), batch, c.paths.clone().unwrap(), salt)).0,
                "a sample not in the set"
            );
            // A wrong label.
            let mut batch = c.batch.clone().unwrap();
            batch[1].label = (batch[1].label + 1) % 3;
            assert!(!satisfied(with_batch(c.clone(), batch, c.paths.clone().unwrap(), salt)).0, "a wrong label");
            // The honest batch still verifies through with_batch (the helper itself is sound).
            assert!(satisfied(with_batch(c.clone(), c.batch.clone().unwrap(), c.paths.clone().unwrap(), salt)).0);
        }
        m = after;
    }
}

#[test]
fn digits_shape_with_provenance_reports_cost() {
    let cfg = TrainConfig::default();
    let (salt, seed, prover) = (Fr::from(5u64), Fr::from(123_456u64), [0xabu8; 20]);
    let tree = DatasetTree::<Fr>::new(samples(1257, 64, 10, false, 9)).unwrap();
    assert_eq!(tree.depth(), 11);
    let m = Mlp::seeded(64, 32, 10, 3, &cfg);
    let (c, st, after) = TrainStepCircuit::from_dataset(&m, &tree, 2, seed, 7, prover, &cfg, salt).unwrap();
    assert_eq!(st.head_after, head(&after, &cfg, salt));
    let shape = c.shape;
    let total = constraint_count(&shape, &cfg);
    let plain = constraint_count(&TrainShape { depth: None, ..shape }, &cfg);
    println!(
        "digits 64-32-10, B = 2, with provenance (depth 11): {total} constraints ({} for provenance)",
        total - plain
    );
    assert_eq!(satisfied(c), (true, total));
}

#[test]
fn setup_mode_has_the_same_shape() {
    let cfg = small_cfg();
    for (depth, inputs, steps) in [(None, 2usize, 1usize), (Some(3), 5, 1), (Some(3), 5, 3)] {
        let shape = TrainShape { inputs: 8, hidden: 4, classes: 3, batch: 2, steps, depth };
        let cs = ConstraintSystem::<Fr>::new_ref();
        cs.set_mode(ark_relations::gr1cs::SynthesisMode::Setup);
        TrainStepCircuit::<Fr>::for_setup(shape, cfg).generate_constraints(cs.clone()).unwrap();
        assert_eq!(cs.num_constraints(), constraint_count(&shape, &cfg), "depth {depth:?}");
        // The constant 1 is instance variable 0.
        assert_eq!(cs.num_instance_variables(), inputs + 1, "depth {depth:?}");
    }
}

#[test]
fn k_steps_in_one_proof_equal_k_native_steps() {
    let cfg = small_cfg();
    let salt = Fr::from(31u64);
    let m = Mlp::seeded(8, 4, 3, 4, &cfg);
    let batches: Vec<Vec<Sample>> = (0..3).map(|t| samples(2, 8, 3, true, 300 + t)).collect();
    let (c, st, after) = TrainStepCircuit::new_steps(&m, &batches, &cfg, salt).unwrap();
    let mut native = m.clone();
    for b in &batches {
        let pairs: Vec<(&[i8], u8)> = b.iter().map(|s| (s.features.as_slice(), s.label)).collect();
        native = native.step(&pairs, &cfg).unwrap();
    }
    assert_eq!(after, native);
    assert_eq!(st.head_after, head(&native, &cfg, salt));
    let shape = TrainShape { inputs: 8, hidden: 4, classes: 3, batch: 2, steps: 3, depth: None };
    assert_eq!(c.shape, shape);
    assert_eq!(satisfied(c.clone()), (true, constraint_count(&shape, &cfg)));

    // An intermediate weight off by one (the final head still the honest one): unsatisfied.
    for i in 0..2 {
        let mut bad = c.clone();
        bad.between.as_mut().unwrap()[i].w2[1] += 1;
        assert!(!satisfied(bad).0, "intermediate weights {i} tampered");
    }
    // The batches in another order: another trajectory.
    let mut bad = c.clone();
    let mut swapped = batches.clone();
    swapped.swap(0, 2);
    bad.batch = Some(swapped.concat());
    assert!(!satisfied(bad).0, "batches reordered");
}

#[test]
fn k_steps_with_provenance_draw_each_batch_from_its_own_step() {
    let cfg = small_cfg();
    let (salt, seed, prover) = (Fr::from(3u64), Fr::from(999u64), [0x11u8; 20]);
    let tree = DatasetTree::<Fr>::new(samples(13, 8, 3, true, 21)).unwrap();
    let m = Mlp::seeded(8, 4, 3, 6, &cfg);
    let (c, st, after) = TrainStepCircuit::from_dataset_steps(&m, &tree, 2, 2, seed, 4, prover, &cfg, salt).unwrap();
    // The same as two one-step proofs of steps 4 and 5.
    let (_, _, mid) = TrainStepCircuit::from_dataset(&m, &tree, 2, seed, 4, prover, &cfg, salt).unwrap();
    let (_, _, two) = TrainStepCircuit::from_dataset(&mid, &tree, 2, seed, 5, prover, &cfg, salt).unwrap();
    assert_eq!(after, two);
    assert_eq!(st.data.unwrap().step, 4);
    assert_eq!(satisfied(c.clone()), (true, constraint_count(&c.shape, &cfg)));
    // The second step trained on the first step's batch again (with its valid paths): unsatisfied.
    let mut bad = c.clone();
    let mut batch = bad.batch.clone().unwrap();
    let mut paths = bad.paths.clone().unwrap();
    batch[2] = batch[0].clone();
    paths[2] = paths[0].clone();
    bad.batch = Some(batch);
    bad.paths = Some(paths);
    assert!(!satisfied(bad).0, "a batch the seed did not pick for that step");
}
