//! Training steps relayed to a real anvil: claim (fixes the seed), prove the step on the batch the
//! seed picks from the committed data set, submit; the head moves and the lineage is recorded. A
//! step that does not extend the current head reverts with the ledger's custom error.

use std::path::PathBuf;

use alloy::{
    primitives::{B256, U256},
    providers::ext::AnvilApi,
    signers::local::PrivateKeySigner,
};
use ark_bn254::Fr;
use mlproof_circuits::{
    dataset::{DatasetTree, Sample},
    train::{Mlp, TrainConfig},
    train_circuit::{head, TrainShape, TrainStepCircuit},
};
use mlproof_prover::{
    evm::fr_to_u256,
    setup::DEV_SETUP_WARNING,
    solidity::{verifier_source, VerifierProvenance},
    training::{dev_setup_step, evm_proof_words, prove_step},
};
use mlproof_relayer::{
    chain::{spawn_anvil, Account},
    compile::Compiler,
    deploy::{deploy_protocol, deploy_verifier, ProtocolConfig},
    training, RelayerError,
};

fn fr(v: U256) -> Fr {
    mlproof_prover::evm::u256_to_fr(v).expect("the ledger reduces seeds mod r")
}

#[tokio::test(flavor = "multi_thread")]
async fn steps_extend_the_head_and_a_stale_step_reverts() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let cfg = TrainConfig { lr_shift1: 7, lr_shift2: 7, ..TrainConfig::default() };
    let samples: Vec<Sample> =
        (0..6u8).map(|k| Sample { features: (0..8).map(|i| ((i * 29 + usize::from(k) * 17) % 128) as i8).collect(), label: k % 3 }).collect();
    let tree = DatasetTree::<Fr>::new(samples).unwrap();
    let shape = TrainShape { inputs: 8, hidden: 4, classes: 3, batch: 2, depth: Some(tree.depth()) };
    let keys = dev_setup_step(TrainStepCircuit::for_setup(shape, cfg), 1).unwrap();
    let prov = VerifierProvenance { command: "training_anvil test".into(), circuit: "train-step-8-4-3".into(), setup: DEV_SETUP_WARNING.into() };
    let src = verifier_source(&keys.vk, "TrainStepVerifier", &prov);
    let artifacts = Compiler::new(&root).unwrap().compile_protocol(&[("contracts/generated/TrainStepVerifier.sol".into(), src)]).unwrap();

    let anvil = spawn_anvil(&root).unwrap();
    let account = |i: usize| Account::connect(&anvil.endpoint(), PrivateKeySigner::from(anvil.keys()[i].clone())).unwrap();
    let (admin, prover) = (account(0), account(1));
    let (dep, _) = deploy_protocol(&admin, &artifacts, &ProtocolConfig::default()).await.unwrap();
    let (verifier, _) = deploy_verifier(&admin, &artifacts, "TrainStepVerifier").await.unwrap();
    let model_id = training::register_training_model(&admin, dep.registry, verifier, B256::repeat_byte(7), 10).await.unwrap();
    let (ledger, _) = training::deploy_ledger(&admin, &artifacts, dep.registry, 3600).await.unwrap();

    let salt = Fr::from(5u64);
    let mut weights = Mlp::seeded(8, 4, 3, 5, &cfg);
    let head0 = fr_to_u256(head::<Fr>(&weights, &cfg, salt));
    training::init_training(&admin, ledger, model_id, fr_to_u256(tree.root()), U256::from(1), head0).await.unwrap();

    let mut heads = vec![head0];
    let mut last_proof = None;
    for expected_step in 0..2u64 {
        let (step, _) = training::claim_step(&prover, ledger, model_id).await.unwrap();
        assert_eq!(step, expected_step);
        admin.provider.anvil_mine(Some(2), None).await.unwrap();
        let seed = training::seed_of(&prover.provider, ledger, model_id, prover.address).await.unwrap();
        let (circuit, statement, after) =
            TrainStepCircuit::from_dataset(&weights, &tree, 2, fr(seed), step, prover.address.into_array(), &cfg, salt).unwrap();
        let proof = evm_proof_words(&prove_step(&keys, circuit, &mut rand::rngs::OsRng).unwrap());
        let (before, after_head) = (fr_to_u256(statement.head_before), fr_to_u256(statement.head_after));
        assert_eq!(before, *heads.last().unwrap());
        training::submit_step(&prover, ledger, model_id, before, after_head, proof).await.unwrap();
        assert_eq!(training::head_of(&prover.provider, ledger, model_id).await.unwrap(), after_head);
        heads.push(after_head);
        weights = after;
        last_proof = Some((before, after_head, proof));
    }

    // Resubmitting the last step (it no longer extends the head) reverts with a decoded custom error.
    let (step, _) = training::claim_step(&prover, ledger, model_id).await.unwrap();
    assert_eq!(step, 2);
    admin.provider.anvil_mine(Some(2), None).await.unwrap();
    let (before, after_head, proof) = last_proof.unwrap();
    match training::submit_step(&prover, ledger, model_id, before, after_head, proof).await {
        Err(RelayerError::Reverted { reason, .. }) => assert!(reason.starts_with("TrainingLedgerNotHead"), "{reason}"),
        other => panic!("expected TrainingLedgerNotHead, got {other:?}"),
    }
    let lineage = training::lineage(&prover.provider, ledger, model_id).await.unwrap();
    assert_eq!(lineage.len(), 2);
    for (i, s) in lineage.iter().enumerate() {
        assert_eq!((s.headBefore, s.headAfter, s.prover, s.step), (heads[i], heads[i + 1], prover.address, i as u64));
    }
}
