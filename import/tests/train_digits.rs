//! The native fixed-point trainer on the real digits split: from an under-trained (seeded random)
//! start, SGD steps on seed-ordered mini-batches raise held-out accuracy. This fixes the
//! hyper-parameters the training-step circuit will prove (docs/training.md).

use std::path::PathBuf;

use mlproof_circuits::native::trainer::{Mlp, TrainConfig};
use mlproof_import::dataset::Digits;

fn accuracy(m: &Mlp, data: &Digits, cfg: &TrainConfig) -> f64 {
    let correct = data
        .test
        .iter()
        .filter(|&&i| m.predict(&data.quantized_input(i), cfg).unwrap() == usize::from(data.labels[i]))
        .count();
    correct as f64 / data.test.len() as f64
}

#[test]
fn sgd_steps_improve_held_out_accuracy_from_an_untrained_start() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let data = Digits::load(&root).unwrap();
    let cfg = TrainConfig::default();
    let start = Mlp::seeded(64, 32, 10, 7, &cfg);
    let before = accuracy(&start, &data, &cfg);
    let samples: Vec<(Vec<i8>, u8)> = data.train.iter().map(|&i| (data.quantized_input(i), data.labels[i])).collect();
    let mut m = start.clone();
    let batch = 8;
    let mut curve = Vec::new();
    for step in 0..300usize {
        let b: Vec<(&[i8], u8)> = (0..batch)
            .map(|k| {
                let (x, l) = &samples[(step * 97 + k * 13) % samples.len()];
                (x.as_slice(), *l)
            })
            .collect();
        m = m.step(&b, &cfg).unwrap();
        if step % 50 == 49 {
            curve.push(accuracy(&m, &data, &cfg));
        }
    }
    let after = accuracy(&m, &data, &cfg);
    eprintln!("held-out accuracy {before:.3} -> {after:.3}; every 50 steps: {curve:?}");
    assert!(before < 0.3, "the seeded start is under-trained ({before})");
    assert!(after > before + 0.3, "{before} -> {after}");
}
