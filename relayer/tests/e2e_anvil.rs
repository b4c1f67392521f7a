//! End to end against a real anvil: the whole job, and every way a submission must fail, with the
//! custom error decoded by the relayer.

use std::path::PathBuf;

use alloy::{primitives::U256, signers::local::PrivateKeySigner};
use ark_groth16::Groth16;
use mlproof_circuits::slice::{sample_input, slice_model};
use mlproof_prover::{
    evm::{base_modulus, scalar_modulus},
    prove_inference, EvmProof,
};
use mlproof_relayer::{
    chain::{spawn_anvil, Account},
    deploy::ProtocolConfig,
    job::{mint_and_stake, prepare, run_on_anvil, JobConfig},
    submit, RelayerError,
};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

fn config(seed: u64) -> JobConfig {
    let model = slice_model().unwrap();
    JobConfig {
        root: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".."),
        input: sample_input(seed, model.input_len),
        model,
        setup_seed: 1,
        protocol: ProtocolConfig::default(),
    }
}

fn reverted_with(r: Result<impl std::fmt::Debug, RelayerError>, name: &str) {
    match r {
        Err(RelayerError::Reverted { reason, .. }) => assert!(reason.starts_with(name), "expected {name}, got {reason}"),
        other => panic!("expected revert {name}, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn full_job_verifies_pays_and_reads_back() {
    let cfg = config(7);
    let mut steps = Vec::new();
    let report = run_on_anvil(&cfg, &mut |s| steps.push(s.name.clone())).await.unwrap();
    assert!(report.verified);
    assert_eq!(report.output, report.native_output);
    assert_eq!(usize::from(report.predicted_class), report.native_class);
    assert_eq!(report.reward_claimed, cfg.protocol.reward_per_proof.to_string());
    assert!(report.submit_gas > report.verify_gas / 2);
    for expected in ["deploy InferenceHub", "stake", "prove", "submit proof", "consumer classify", "claim"] {
        assert!(steps.iter().any(|s| s == expected), "missing step {expected}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_submissions_fail_with_decoded_custom_errors() {
    let cfg = config(11);
    let anvil = spawn_anvil(&cfg.root).unwrap();
    let account = |i: usize| Account::connect(&anvil.endpoint(), PrivateKeySigner::from(anvil.keys()[i].clone())).unwrap();
    let (admin, prover, copier, unstaked) = (account(0), account(1), account(2), account(3));
    let p = prepare(&cfg, &admin, &mut |_| {}).await.unwrap();
    mint_and_stake(&cfg, &p, &admin, &prover, &mut |_| {}).await.unwrap();
    mint_and_stake(&cfg, &p, &admin, &copier, &mut |_| {}).await.unwrap();
    let hub = p.dep.hub;

    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let proof = prove_inference(&p.keys, &cfg.model, &cfg.input, prover.address.into_array(), &mut rng).unwrap();
    let evm = EvmProof::new(&proof.proof, &proof.statement);

    // A valid proof copied by another staked address pays nobody.
    reverted_with(submit::submit_proof(&copier, hub, p.model_id, &evm).await, "InferenceHubInvalidProof");
    // An unstaked submitter, an unknown model.
    reverted_with(submit::submit_proof(&unstaked, hub, p.model_id, &evm).await, "InferenceHubNotStaked");
    reverted_with(submit::submit_proof(&prover, hub, U256::from(99), &evm).await, "ModelRegistryUnknownModel");
    // Malformed proofs: a coordinate moved off the curve, a coordinate >= q, an input word >= r.
    let mut bad = evm.clone();
    bad.proof[0] += U256::from(1);
    reverted_with(submit::submit_proof(&prover, hub, p.model_id, &bad).await, "InferenceHubInvalidProof");
    let mut bad = evm.clone();
    bad.proof[3] += base_modulus();
    reverted_with(submit::submit_proof(&prover, hub, p.model_id, &bad).await, "Groth16VerifierProofCoordinateNotInField");
    let mut bad = evm.clone();
    bad.input[0] += scalar_modulus();
    reverted_with(submit::submit_proof(&prover, hub, p.model_id, &bad).await, "Groth16VerifierPublicInputNotInField");
    // A wrong output.
    let mut bad = evm.clone();
    bad.output[0] += U256::from(1);
    reverted_with(submit::submit_proof(&prover, hub, p.model_id, &bad).await, "InferenceHubInvalidProof");
    // Nothing verified yet: the consumer refuses, nobody has rewards.
    reverted_with(submit::classify(&admin, p.consumer, &evm.input).await, "ConsumerOutputNotVerified");
    assert_eq!(submit::reward_of(&admin.provider, hub, copier.address).await.unwrap(), U256::ZERO);
    assert_eq!(submit::reward_of(&admin.provider, hub, prover.address).await.unwrap(), U256::ZERO);

    // The honest submission pays the bound prover once.
    submit::submit_proof(&prover, hub, p.model_id, &evm).await.unwrap();
    assert_eq!(submit::reward_of(&admin.provider, hub, prover.address).await.unwrap(), cfg.protocol.reward_per_proof);
    reverted_with(submit::submit_proof(&prover, hub, p.model_id, &evm).await, "InferenceHubAlreadyVerified");
    // Re-randomised proof bytes (Groth16 malleability) of the same statement are still a replay.
    let rerand = Groth16::<ark_bn254::Bn254>::rerandomize_proof(&p.keys.vk, &proof.proof, &mut rng);
    assert_ne!(rerand, proof.proof);
    let evm2 = EvmProof::new(&rerand, &proof.statement);
    reverted_with(submit::submit_proof(&prover, hub, p.model_id, &evm2).await, "InferenceHubAlreadyVerified");
    // The copier gained nothing; the prover claims exactly one reward.
    reverted_with(submit::claim(&copier, hub).await, "InferenceHubNothingToClaim");
    let (paid, _) = submit::claim(&prover, hub).await.unwrap();
    assert_eq!(paid, cfg.protocol.reward_per_proof);
    assert_eq!(submit::balance_of(&admin.provider, p.dep.token, prover.address).await.unwrap(), paid);
}
