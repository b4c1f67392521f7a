//! The `mlproof` binary: round trips, and bad input failing with an error that names the problem.

use std::{path::Path, process::Command};

use mlproof_circuits::native::slice::{random_mlp, slice_model};

const PROVER: &str = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

fn mlproof(dir: &Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_mlproof")).current_dir(dir).args(args).output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

fn write_model(dir: &Path, name: &str, json: &str) {
    std::fs::write(dir.join(name), json).unwrap();
}

#[test]
fn prove_then_verify_roundtrip_and_wrong_key_fails() {
    let dir = tempfile::tempdir().unwrap();
    write_model(dir.path(), "m.json", &slice_model().unwrap().to_canonical_json());
    let (ok, _, err) = mlproof(dir.path(), &["setup", "--model", "m.json", "--seed", "3", "--out", "m.pk"]);
    assert!(ok, "{err}");
    assert!(err.contains("NOT FOR PRODUCTION"));
    std::fs::write(dir.path().join("in.json"), serde_json::to_string(&vec![5i8; 64]).unwrap()).unwrap();
    let (ok, out, err) = mlproof(
        dir.path(),
        &[
            "prove", "--model", "m.json", "--pk", "m.pk", "--input", "in.json", "--prover", PROVER, "--out", "p.json",
            "--json",
        ],
    );
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    assert_eq!(v["output"].as_array().unwrap().len(), 10);
    let (ok, out, err) =
        mlproof(dir.path(), &["verify", "--model", "m.json", "--pk", "m.pk", "--proof", "p.json", "--json"]);
    assert!(ok, "{err}");
    assert!(out.contains("\"verified\":true"));

    // Keys from another setup: the proof does not verify.
    let (ok, out, err) =
        mlproof(dir.path(), &["verify", "--model", "m.json", "--dev-seed", "4", "--proof", "p.json", "--json"]);
    assert!(!ok);
    assert!(out.contains("\"verified\":false") && err.contains("does NOT verify"), "{err}");

    // A proof file whose values were edited: the packed words no longer match.
    let text = std::fs::read_to_string(dir.path().join("p.json")).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["outputValues"][0] = serde_json::json!(v["outputValues"][0].as_i64().unwrap() ^ 1);
    std::fs::write(dir.path().join("bad.json"), v.to_string()).unwrap();
    let (ok, _, err) = mlproof(dir.path(), &["verify", "--model", "m.json", "--pk", "m.pk", "--proof", "bad.json"]);
    assert!(!ok);
    assert!(err.contains("disagree"), "{err}");

    // The proving key of another model is refused by name.
    write_model(dir.path(), "other.json", &random_mlp("other", 9, 40, &[8, 3]).unwrap().to_canonical_json());
    let (ok, _, err) = mlproof(
        dir.path(),
        &[
            "prove",
            "--model",
            "other.json",
            "--pk",
            "m.pk",
            "--sample-seed",
            "1",
            "--prover",
            PROVER,
            "--out",
            "x.json",
        ],
    );
    assert!(!ok);
    assert!(err.contains("the key is for model"), "{err}");

    // A proof checked against a different model is refused by commitment.
    let (ok, _, err) =
        mlproof(dir.path(), &["verify", "--model", "other.json", "--dev-seed", "1", "--proof", "p.json"]);
    assert!(!ok);
    assert!(err.contains("commitment"), "{err}");
}

#[test]
fn malformed_models_and_inputs_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&slice_model().unwrap().to_canonical_json()).unwrap();
    v["layers"][1]["weights"][7] = serde_json::json!(-200);
    write_model(dir.path(), "range.json", &v.to_string());
    let (ok, _, err) = mlproof(dir.path(), &["model", "inspect", "--model", "range.json"]);
    assert!(!ok);
    assert!(err.contains("layer 1: weight[7] = -200 is outside the int8 range"), "{err}");

    let mut v: serde_json::Value = serde_json::from_str(&slice_model().unwrap().to_canonical_json()).unwrap();
    v["layers"][0]["type"] = serde_json::json!("conv3d");
    write_model(dir.path(), "op.json", &v.to_string());
    let (ok, _, err) = mlproof(dir.path(), &["model", "inspect", "--model", "op.json"]);
    assert!(!ok);
    assert!(err.contains("conv3d"), "{err}");

    let mut v: serde_json::Value = serde_json::from_str(&slice_model().unwrap().to_canonical_json()).unwrap();
    v["layers"][0]["bias"] = serde_json::json!([1, 2]);
    write_model(dir.path(), "shape.json", &v.to_string());
    let (ok, _, err) = mlproof(dir.path(), &["model", "inspect", "--model", "shape.json"]);
    assert!(!ok);
    assert!(err.contains("layer 0: shape mismatch: bias length is 2, expected 16"), "{err}");

    write_model(dir.path(), "m.json", &slice_model().unwrap().to_canonical_json());
    let mut input = vec![0i64; 64];
    input[3] = 300;
    std::fs::write(dir.path().join("in.json"), serde_json::to_string(&input).unwrap()).unwrap();
    let (ok, _, err) = mlproof(
        dir.path(),
        &["prove", "--model", "m.json", "--dev-seed", "1", "--input", "in.json", "--prover", PROVER, "--out", "p.json"],
    );
    assert!(!ok);
    assert!(err.contains("input[3] = 300 is outside the int8 range"), "{err}");
    assert!(!dir.path().join("p.json").exists(), "no proof file is written for bad input");

    let (ok, _, err) = mlproof(
        dir.path(),
        &[
            "prove",
            "--model",
            "m.json",
            "--dev-seed",
            "1",
            "--sample-seed",
            "1",
            "--prover",
            "0x1234",
            "--out",
            "p.json",
        ],
    );
    assert!(!ok);
    assert!(err.contains("not a 20-byte hex address"), "{err}");

    let (ok, _, err) = mlproof(dir.path(), &["model", "inspect", "--model", "missing.json"]);
    assert!(!ok);
    assert!(err.contains("cannot read model file missing.json"), "{err}");
}

#[test]
fn private_weights_prove_and_verify() {
    let dir = tempfile::tempdir().unwrap();
    write_model(dir.path(), "m.json", &slice_model().unwrap().to_canonical_json());
    let salt = "11".repeat(31);
    let (ok, _, err) = mlproof(dir.path(), &["setup", "--model", "m.json", "--private-weights", "--out", "p.pk"]);
    assert!(ok, "{err}");
    let (ok, out, err) = mlproof(
        dir.path(),
        &[
            "prove",
            "--model",
            "m.json",
            "--pk",
            "p.pk",
            "--private-weights",
            "--salt",
            &salt,
            "--sample-seed",
            "2",
            "--prover",
            PROVER,
            "--out",
            "p.json",
            "--json",
        ],
    );
    assert!(ok, "{err}");
    assert!(out.contains("prove_s"));
    let file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("p.json")).unwrap()).unwrap();
    assert!(file["weightsCommitment"].is_string());
    let (ok, _, err) =
        mlproof(dir.path(), &["verify", "--model", "m.json", "--pk", "p.pk", "--private-weights", "--proof", "p.json"]);
    assert!(ok, "{err}");
    // Forgetting the flag is named, as is a missing or malformed salt.
    let (ok, _, err) = mlproof(dir.path(), &["verify", "--model", "m.json", "--pk", "p.pk", "--proof", "p.json"]);
    assert!(!ok && err.contains("private weights"), "{err}");
    let (ok, _, err) = mlproof(
        dir.path(),
        &[
            "prove",
            "--model",
            "m.json",
            "--pk",
            "p.pk",
            "--private-weights",
            "--sample-seed",
            "2",
            "--prover",
            PROVER,
            "--out",
            "q.json",
        ],
    );
    assert!(!ok && err.contains("--salt"), "{err}");
    let (ok, _, err) = mlproof(
        dir.path(),
        &[
            "prove",
            "--model",
            "m.json",
            "--pk",
            "p.pk",
            "--private-weights",
            "--salt",
            "abcd",
            "--sample-seed",
            "2",
            "--prover",
            PROVER,
            "--out",
            "q.json",
        ],
    );
    assert!(!ok && err.contains("31 bytes"), "{err}");
    // Public-weight keys for the same model are refused as the wrong key.
    let (ok, _, err) = mlproof(dir.path(), &["setup", "--model", "m.json", "--out", "pub.pk"]);
    assert!(ok, "{err}");
    let (ok, _, err) = mlproof(
        dir.path(),
        &[
            "prove",
            "--model",
            "m.json",
            "--pk",
            "pub.pk",
            "--private-weights",
            "--salt",
            &salt,
            "--sample-seed",
            "2",
            "--prover",
            PROVER,
            "--out",
            "q.json",
        ],
    );
    assert!(!ok && err.contains("with public weights") && err.contains("with private weights"), "{err}");
}

#[test]
fn model_quantize_and_import_report_accuracy_or_name_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let onnx = root.join("models/digits-mlp.onnx");
    let (ok, out, err) = mlproof(
        dir.path(),
        &[
            "model",
            "quantize",
            "--onnx",
            onnx.to_str().unwrap(),
            "--out",
            "q.json",
            "--multiplier-bits",
            "8",
            "--calibration-samples",
            "200",
            "--root",
            root.to_str().unwrap(),
            "--json",
        ],
    );
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    assert!(v["quantized_accuracy"].as_f64().unwrap() > 0.9, "{v}");
    assert_eq!(v["multiplier_bits"], 8);
    let (ok, _, err) = mlproof(dir.path(), &["model", "inspect", "--model", "q.json"]);
    assert!(ok, "{err}");

    std::fs::write(dir.path().join("junk.onnx"), b"\xff\xff\xff not protobuf").unwrap();
    let (ok, _, err) = mlproof(
        dir.path(),
        &["model", "import", "--onnx", "junk.onnx", "--out", "x.json", "--root", root.to_str().unwrap()],
    );
    assert!(!ok);
    assert!(err.contains("not a valid ONNX file"), "{err}");
    assert!(!dir.path().join("x.json").exists());
}

#[test]
fn committed_input_prove_and_verify() {
    let dir = tempfile::tempdir().unwrap();
    write_model(dir.path(), "m.json", &slice_model().unwrap().to_canonical_json());
    let isalt = "22".repeat(31);
    let (ok, _, err) = mlproof(
        dir.path(),
        &[
            "prove",
            "--model",
            "m.json",
            "--dev-seed",
            "1",
            "--committed-input",
            "--input-salt",
            &isalt,
            "--sample-seed",
            "3",
            "--prover",
            PROVER,
            "--out",
            "p.json",
        ],
    );
    assert!(ok, "{err}");
    let file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("p.json")).unwrap()).unwrap();
    assert!(file["inputCommitment"].is_string());
    assert_eq!(file["inputValues"].as_array().unwrap().len(), 0, "the input is not revealed");
    let (ok, _, err) = mlproof(
        dir.path(),
        &["verify", "--model", "m.json", "--dev-seed", "1", "--committed-input", "--proof", "p.json"],
    );
    assert!(ok, "{err}");
    let (ok, _, err) = mlproof(dir.path(), &["verify", "--model", "m.json", "--dev-seed", "1", "--proof", "p.json"]);
    assert!(!ok && err.contains("committed input"), "{err}");
    let (ok, _, err) = mlproof(
        dir.path(),
        &[
            "prove",
            "--model",
            "m.json",
            "--dev-seed",
            "1",
            "--committed-input",
            "--sample-seed",
            "3",
            "--prover",
            PROVER,
            "--out",
            "q.json",
        ],
    );
    assert!(!ok && err.contains("--input-salt"), "{err}");
}

#[test]
fn model_random_writes_a_loadable_model_or_names_a_bad_shape() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, out, err) =
        mlproof(dir.path(), &["model", "random", "--shape", "20,8,3", "--seed", "4", "--out", "r.json"]);
    assert!(ok && out.contains("commitment"), "{err}");
    let (ok, out, err) = mlproof(dir.path(), &["model", "inspect", "--model", "r.json", "--json"]);
    assert!(ok, "{err}");
    assert!(out.contains("mlp-20-8-3"), "{out}");
    let (ok, _, err) = mlproof(dir.path(), &["model", "random", "--shape", "20", "--out", "bad.json"]);
    assert!(!ok && err.contains("at least two positive widths"), "{err}");
    assert!(!dir.path().join("bad.json").exists());
}

#[test]
fn node_init_writes_a_config_that_check_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, out, err) = mlproof(dir.path(), &["node", "init"]);
    assert!(ok && out.contains("wrote node.toml"), "{err}");
    let (ok, _, err) = mlproof(dir.path(), &["node", "init"]);
    assert!(!ok && err.contains("exists; pass --force"), "{err}");
    let key = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
    let check = |env: Option<&str>| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_mlproof"));
        c.current_dir(dir.path()).args(["node", "check"]).env_remove("MLPROOF_PRIVATE_KEY");
        if let Some(k) = env {
            c.env("MLPROOF_PRIVATE_KEY", k);
        }
        let out = c.output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let (ok, out, err) = check(Some(key));
    assert!(ok, "{err}");
    assert!(out.contains("chain 31337") && out.contains("0x70997970C51812dc3A010C7d01b50e0d17dc79C8"), "{out}");
    let (ok, _, err) = check(None);
    assert!(!ok && err.contains("MLPROOF_PRIVATE_KEY is not set"), "{err}");
    let (ok, _, err) = check(Some("0xnot-a-key"));
    assert!(!ok && err.contains("does not hold a valid hex private key") && !err.contains("not-a-key"), "{err}");
}

#[test]
fn deploy_init_writes_profiles_and_bad_networks_or_configs_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let key = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_mlproof"))
            .current_dir(dir.path())
            .args(args)
            .env("MLPROOF_PRIVATE_KEY", key)
            .output()
            .unwrap();
        (out.status.success(), String::from_utf8_lossy(&out.stderr).to_string())
    };
    let (ok, err) = run(&["deploy", "--init"]);
    assert!(ok, "{err}");
    let text = std::fs::read_to_string(dir.path().join("deploy.toml")).unwrap();
    assert!(text.contains("[networks.local]") && text.contains("[networks.sepolia]"), "{text}");
    let (ok, err) = run(&["deploy", "--init"]);
    assert!(!ok && err.contains("exists"), "{err}");
    let (ok, err) = run(&["deploy", "--network", "mainnet"]);
    assert!(!ok && err.contains("no network \"mainnet\"") && err.contains("local, sepolia"), "{err}");
    std::fs::write(dir.path().join("bad.toml"), "[networks.x]\nrpc_url = \"ftp://x\"\nchain_id = 5\n").unwrap();
    let (ok, err) = run(&["deploy", "--config", "bad.toml", "--network", "x"]);
    assert!(!ok && err.contains("http(s) rpc_url"), "{err}");
    // The service itself: a missing config is named.
    let (ok, err) = run(&["node", "--config", "missing.toml"]);
    assert!(!ok && err.contains("missing.toml") && err.contains("cannot read it"), "{err}");
}
