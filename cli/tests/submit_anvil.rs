//! `mlproof submit` against a real anvil: success, and a decoded custom error on failure.

use std::{path::PathBuf, process::Command};

use alloy::signers::local::PrivateKeySigner;
use mlproof_circuits::slice::{sample_input, slice_model};
use mlproof_prover::{prove_inference, ProofFile};
use mlproof_relayer::{
    chain::{spawn_anvil, Account},
    deploy::ProtocolConfig,
    job::{mint_and_stake, prepare, JobConfig},
};

#[tokio::test(flavor = "multi_thread")]
async fn submit_command_relays_and_decodes_reverts() {
    let model = slice_model().unwrap();
    let cfg = JobConfig {
        root: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".."),
        input: sample_input(5, model.input_len),
        model,
        setup_seed: 1,
        protocol: ProtocolConfig::default(),
    };
    let anvil = spawn_anvil(&cfg.root).unwrap();
    let key = |i: usize| PrivateKeySigner::from(anvil.keys()[i].clone());
    let admin = Account::connect(&anvil.endpoint(), key(0)).unwrap();
    let prover = Account::connect(&anvil.endpoint(), key(1)).unwrap();
    let p = prepare(&cfg, &admin, &mut |_| {}).await.unwrap();

    let dir = tempfile::tempdir().unwrap();
    let proof = prove_inference(&p.keys, &cfg.model, &cfg.input, prover.address.into_array(), &mut rand::rngs::OsRng).unwrap();
    std::fs::write(dir.path().join("p.json"), serde_json::to_string(&ProofFile::new(&cfg.model, &proof)).unwrap()).unwrap();
    let hex_key = |i: usize| alloy::hex::encode_prefixed(anvil.keys()[i].to_bytes());
    let run = |key: String| {
        let out = Command::new(env!("CARGO_BIN_EXE_mlproof"))
            .args(["submit", "--rpc-url", &anvil.endpoint(), "--hub", &p.dep.hub.to_string(), "--model-id", "1"])
            .args(["--proof", dir.path().join("p.json").to_str().unwrap(), "--json"])
            .env("MLPROOF_PRIVATE_KEY", key)
            .output()
            .unwrap();
        (out.status.success(), String::from_utf8_lossy(&out.stdout).to_string(), String::from_utf8_lossy(&out.stderr).to_string())
    };

    // Not staked yet: the hub's custom error, decoded.
    let (ok, _, err) = run(hex_key(1));
    assert!(!ok);
    assert!(err.contains("InferenceHubNotStaked"), "{err}");
    // A key that is not the bound prover is refused before sending.
    let (ok, _, err) = run(hex_key(2));
    assert!(!ok);
    assert!(err.contains("bound to prover"), "{err}");

    mint_and_stake(&cfg, &p, &admin, &prover, &mut |_| {}).await.unwrap();
    let (ok, out, err) = run(hex_key(1));
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    assert_eq!(v["verified"], true);
    assert!(v["gas_used"].as_u64().unwrap() > 200_000);
    // The same statement again: replay refused.
    let (ok, _, err) = run(hex_key(1));
    assert!(!ok);
    assert!(err.contains("InferenceHubAlreadyVerified"), "{err}");
}
