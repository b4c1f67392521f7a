//! Groth16 round trip of the training-step circuit on a small model with data provenance: the
//! honest step verifies; another head, seed, step or payee does not.

use ark_bn254::Fr;
use mlproof_circuits::{
    dataset::{DatasetTree, Sample},
    native::trainer::{Mlp, TrainConfig},
    train::{TrainShape, TrainStepCircuit},
};
use mlproof_prover::{
    training::{dev_setup_step, prove_step, verify_step},
    ProverError,
};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

#[test]
fn step_proof_verifies_and_binds_heads_seed_step_and_payee() {
    let cfg = TrainConfig { lr_shift1: 7, lr_shift2: 7, ..TrainConfig::default() };
    let samples: Vec<Sample> = (0..6u8)
        .map(|k| Sample {
            features: (0..8).map(|i| ((i * 29 + usize::from(k) * 17) % 128) as i8).collect(),
            label: k % 3,
        })
        .collect();
    let tree = DatasetTree::<Fr>::new(samples).unwrap();
    let shape = TrainShape { inputs: 8, hidden: 4, classes: 3, batch: 2, steps: 1, depth: Some(tree.depth()) };
    let keys = dev_setup_step(TrainStepCircuit::for_setup(shape, cfg), 1).unwrap();

    let start = Mlp::seeded(8, 4, 3, 5, &cfg);
    let (circuit, statement, after) =
        TrainStepCircuit::from_dataset(&start, &tree, 2, Fr::from(77u64), 3, [0x42; 20], &cfg, Fr::from(5u64)).unwrap();
    assert_ne!(after, start, "the step moves the weights");
    let proof = prove_step(&keys, circuit, &mut ChaCha20Rng::seed_from_u64(1)).unwrap();
    verify_step(&keys, &statement, &proof).unwrap();

    let mut other = statement;
    other.head_after += Fr::from(1u64);
    assert!(matches!(verify_step(&keys, &other, &proof), Err(ProverError::InvalidProof)));
    for tweak in 0..3 {
        let mut other = statement;
        let data = other.data.as_mut().unwrap();
        match tweak {
            0 => data.seed += Fr::from(1u64),
            1 => data.step += 1,
            _ => data.prover[0] ^= 1,
        }
        assert!(matches!(verify_step(&keys, &other, &proof), Err(ProverError::InvalidProof)), "tweak {tweak}");
    }
}

#[test]
fn eval_proof_verifies_and_binds_head_root_score_and_evaluator() {
    use mlproof_circuits::eval::{EvalCircuit, EvalShape};
    use mlproof_prover::training::{dev_setup_eval, prove_eval, verify_eval};
    let cfg = TrainConfig { lr_shift1: 7, lr_shift2: 7, ..TrainConfig::default() };
    let samples: Vec<Sample> = (0..5u8)
        .map(|k| Sample {
            features: (0..8).map(|i| ((i * 31 + usize::from(k) * 11) % 128) as i8).collect(),
            label: k % 3,
        })
        .collect();
    let set = DatasetTree::<Fr>::new(samples).unwrap();
    let keys =
        dev_setup_eval(EvalCircuit::for_setup(EvalShape { inputs: 8, hidden: 4, classes: 3, samples: 5 }, cfg), 2)
            .unwrap();
    let weights = Mlp::seeded(8, 4, 3, 5, &cfg);
    let (circuit, statement) = EvalCircuit::new(&weights, &set, [0x42; 20], &cfg, Fr::from(5u64)).unwrap();
    let proof = prove_eval(&keys, circuit, &mut ChaCha20Rng::seed_from_u64(3)).unwrap();
    verify_eval(&keys, &statement, &proof).unwrap();
    for tweak in 0..6 {
        let mut other = statement;
        match tweak {
            0 => other.head += Fr::from(1u64),
            1 => other.eval_root += Fr::from(1u64),
            2 => other.score.correct += 1,
            3 => other.score.loss_sum += 1,
            4 => other.score.total += 1,
            _ => other.evaluator[19] ^= 1,
        }
        assert!(matches!(verify_eval(&keys, &other, &proof), Err(ProverError::InvalidProof)), "tweak {tweak}");
    }
}
