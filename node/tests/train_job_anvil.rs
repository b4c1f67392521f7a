//! The training job end to end on anvil with a small model and two SGD steps per proof: the
//! ledger's step count, lineage, heads and proven scores agree with the native trainer, and the
//! rewards are paid out.

use std::path::PathBuf;

use mlproof_circuits::{
    dataset::Sample,
    native::trainer::{Mlp, TrainConfig},
};
use mlproof_node::{
    deploy::tokens,
    train_job::{run_training_on_anvil, TrainJobConfig},
};

fn samples(n: u8, salt: usize) -> Vec<Sample> {
    (0..n)
        .map(|k| Sample {
            features: (0..8).map(|i| ((i * 73 + usize::from(k) * 41 + salt) % 256) as u8 as i8).collect(),
            label: k % 3,
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn two_proofs_of_two_steps_each_match_the_native_trainer() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let cfg = TrainConfig { lr_shift1: 5, lr_shift2: 5, ..TrainConfig::default() };
    let mut job = TrainJobConfig::new(root, samples(9, 0), samples(5, 3), Mlp::seeded(8, 4, 3, 5, &cfg), 4, 2);
    job.cfg = cfg;
    job.steps_per_proof = 2;
    let mut names = Vec::new();
    let report = run_training_on_anvil(&job, &mut |s| names.push(s.name.clone())).await.unwrap();
    assert!(report.matches_native, "{report:?}");
    assert_eq!((report.steps_verified, report.steps_per_proof, report.lineage.len()), (4, 2, 2));
    assert_eq!((report.lineage[0].step, report.lineage[1].step), (0, 2));
    assert_eq!(report.lineage[1].head_before, report.lineage[0].head_after);
    assert_eq!(report.head_before, report.lineage[0].head_before);
    assert_eq!(report.head_after, report.lineage[1].head_after);
    assert_eq!(report.eval_samples, 5);
    assert!(names.iter().any(|n| n == "steps 2..3: prove + submitStep"), "{names:?}");
    // One token per proof, plus 2 per held-out answer gained (if any), all withdrawn.
    let gained = u64::from(report.correct_after.saturating_sub(report.correct_before));
    assert_eq!(report.step_rewards, tokens(2).to_string());
    assert_eq!(report.withdrawn, (tokens(2) + tokens(2 * gained)).to_string());

    // A step count that is not a multiple of the steps per proof is refused before anything runs.
    job.steps = 3;
    let err = run_training_on_anvil(&job, &mut |_| {}).await.unwrap_err();
    assert!(err.to_string().contains("multiple"), "{err}");
}
