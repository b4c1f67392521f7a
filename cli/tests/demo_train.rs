//! `mlproof demo --train N --json` (the acceptance run of the training issue): N proven SGD steps of
//! the digits MLP relayed to a local anvil, between two proven held-out evaluations; and its bad
//! arguments failing with an error that names them.

use std::{path::PathBuf, process::Command};

fn mlproof(args: &[&str]) -> (bool, String, String) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = Command::new(env!("CARGO_BIN_EXE_mlproof")).current_dir(root).args(args).output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

#[test]
fn five_verified_steps_do_not_lower_the_proven_held_out_accuracy() {
    let (ok, out, err) = mlproof(&["demo", "--train", "5", "--json"]);
    assert!(ok, "stdout:\n{out}\nstderr:\n{err}");
    let v: serde_json::Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    assert_eq!(v["steps_verified"], 5, "{v}");
    let (before, after) = (v["accuracy_before"].as_f64().unwrap(), v["accuracy_after"].as_f64().unwrap());
    assert!(after >= before, "{before} -> {after}");
    assert_eq!(v["matches_native"], true);
    let lineage = v["lineage"].as_array().unwrap();
    assert_eq!(lineage.len(), 5);
    assert_eq!(lineage[0]["head_before"], v["head_before"]);
    assert_eq!(lineage[4]["head_after"], v["head_after"]);
    for (i, s) in lineage.iter().enumerate() {
        assert_eq!(s["step"], i);
        if i > 0 {
            assert_eq!(s["head_before"], lineage[i - 1]["head_after"], "the lineage chains");
        }
    }
    for key in ["head_before", "head_after"] {
        let h = v[key].as_str().unwrap();
        assert!(h.starts_with("0x") && h.len() == 66, "{key} {h}");
    }
    assert!(v["gas_per_step"].as_u64().unwrap() > 200_000);
    assert!(out.contains("lineage (read back from TrainingLedger)"));
}

#[test]
fn bad_training_arguments_are_named() {
    let (ok, _, err) = mlproof(&["demo", "--train", "0"]);
    assert!(!ok && err.contains("--train"), "{err}");
    let (ok, _, err) = mlproof(&["demo", "--batch", "4"]);
    assert!(!ok && err.contains("--train"), "--batch without --train: {err}");
    let (ok, _, err) = mlproof(&["demo", "--train", "3", "--steps-per-proof", "2"]);
    assert!(!ok && err.contains("--steps-per-proof 2"), "{err}");
    let (ok, _, err) = mlproof(&["demo", "--train", "1", "--eval-samples", "541"]);
    assert!(!ok && err.contains("--eval-samples"), "{err}");
}
