//! `node.toml`: the example parses, paths resolve against the file, and each bad value is named.

use std::path::Path;

use mlproof_node::service::config::{NodeConfig, EXAMPLE};

#[test]
fn the_example_parses_and_resolves_paths_against_its_directory() {
    let c = NodeConfig::parse(EXAMPLE, Path::new("/srv/node")).unwrap();
    assert_eq!(c.chain_id, 31337);
    assert_eq!(c.database, Path::new("/srv/node/node-data/jobs.sqlite"));
    assert_eq!(c.models[0].proving_key, Path::new("/srv/node/keys/digits-mlp.pk"));
    assert_eq!(c.listen.to_string(), "127.0.0.1:9400");
    assert_eq!(c.min_price().unwrap(), alloy::primitives::U256::ZERO);
    assert_eq!((c.batch_max, c.batch_wait_s), (16, 10));
    let defaults = EXAMPLE.replace("batch_max = 16\n", "").replace("batch_wait_s = 10\n", "");
    assert_ne!(defaults, EXAMPLE);
    let d = NodeConfig::parse(&defaults, Path::new(".")).unwrap();
    assert_eq!((d.batch_max, d.batch_wait_s), (16, 10), "the defaults");
}

#[test]
fn bad_values_are_named() {
    let cases: [(&str, &str, &str); 11] = [
        ("batch_max = 16", "batch_max = 0", "batch_max must be between 1 (no batching) and 64, not 0"),
        ("batch_max = 16", "batch_max = 65", "batch_max must be between 1 (no batching) and 64, not 65"),
        ("chain_id = 31337", "chain_id = 0", "chain_id must be positive"),
        ("workers = 1", "workers = 0", "workers must be between 1 and 256"),
        ("confirmations = 2", "confirmations = 0", "confirmations must be at least 1"),
        ("rpc_url = \"http://127.0.0.1:8545\"", "rpc_url = \"127.0.0.1:8545\"", "must be an http:// or https:// URL"),
        ("listen = \"127.0.0.1:9400\"", "listen = \"localhost\"", "listen"),
        ("min_price_per_constraint = \"0\"", "min_price_per_constraint = \"1.5\"", "not a decimal integer"),
        ("deadline_margin_s = 120", "deadline_margn_s = 120", "unknown field `deadline_margn_s`"),
        ("env = \"MLPROOF_PRIVATE_KEY\"", "keystore = \"k.json\"", "signer.keystore needs signer.password_env"),
        (
            "txm_database = \"node-data/txm.sqlite\"",
            "txm_database = \"node-data/jobs.sqlite\"",
            "must be different files",
        ),
    ];
    for (from, to, message) in cases {
        assert!(EXAMPLE.contains(from), "{from}");
        let err = NodeConfig::parse(&EXAMPLE.replacen(from, to, 1), Path::new(".")).unwrap_err();
        assert!(err.contains(message), "{to}: {err}");
    }
    let twice = format!("{EXAMPLE}\n[[models]]\nid = 1\nmodel = \"a.json\"\nproving_key = \"a.pk\"\n");
    assert!(NodeConfig::parse(&twice, Path::new(".")).unwrap_err().contains("model id 1 is listed twice"));
}

#[test]
fn the_signer_error_names_the_variable_never_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("node.toml");
    let text = EXAMPLE.replace("MLPROOF_PRIVATE_KEY", "MLPROOF_TEST_KEY_UNSET_9F3A");
    std::fs::write(&path, &text).unwrap();
    let c = NodeConfig::load(&path).unwrap();
    let err = c.signer(&path).unwrap_err().to_string();
    assert!(err.contains("MLPROOF_TEST_KEY_UNSET_9F3A is not set"), "{err}");
    let err = NodeConfig::load(&dir.path().join("missing.toml")).unwrap_err().to_string();
    assert!(err.contains("missing.toml") && err.contains("cannot read it"), "{err}");
}
