//! Training steps relayed to a real anvil: the seed computed in Rust from the lineage (and equal to
//! the ledger's `seedOf`, whoever asks), the step proven on the batch the seed picks from the
//! committed data set, submitted; the head moves and the lineage is recorded. A step that does not
//! extend the current head reverts with the ledger's custom error. Funding that names another
//! evaluation verifier is refused. A proven evaluation of the tip position is verified by the
//! generated Solidity verifier; each mutated field (a score, the loss, the submitter) reverts, and
//! a replay is refused.

use std::path::PathBuf;

use alloy::{
    primitives::{B256, U256},
    signers::local::PrivateKeySigner,
};
use ark_bn254::Fr;
use mlproof_circuits::{
    dataset::{DatasetTree, Sample},
    eval::{EvalCircuit, EvalShape},
    native::trainer::{Mlp, TrainConfig},
    train::{head, TrainShape, TrainStepCircuit},
};
use mlproof_node::{
    compile::Compiler,
    deploy::{deploy_protocol, deploy_verifier, tokens, ProtocolConfig},
    market, training, NodeError,
};
use mlproof_prover::{
    evm::fr_to_u256,
    setup::DEV_SETUP_WARNING,
    solidity::{verifier_source, VerifierProvenance},
    training::{dev_setup_eval, dev_setup_step, evm_proof_words, prove_eval, prove_step},
};
use mlproof_relayer::{
    bindings::ITrainingLedger,
    chain::{spawn_anvil, Account},
};

fn reason(r: Result<impl std::fmt::Debug, NodeError>) -> String {
    match r.as_ref().map_err(NodeError::revert_reason) {
        Err(Some(reason)) => reason.to_owned(),
        _ => panic!("expected a revert, got {r:?}"),
    }
}

fn fr(v: U256) -> Fr {
    mlproof_prover::evm::u256_to_fr(v).expect("the ledger reduces seeds mod r")
}

#[tokio::test(flavor = "multi_thread")]
async fn steps_extend_the_head_and_a_stale_step_reverts() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let cfg = TrainConfig { lr_shift1: 5, lr_shift2: 5, ..TrainConfig::default() };
    let samples: Vec<Sample> = (0..6u8)
        .map(|k| Sample {
            features: (0..8).map(|i| ((i * 73 + usize::from(k) * 41) % 256) as u8 as i8).collect(),
            label: k % 3,
        })
        .collect();
    let tree = DatasetTree::<Fr>::new(samples).unwrap();
    let shape = TrainShape { inputs: 8, hidden: 4, classes: 3, batch: 2, steps: 1, depth: Some(tree.depth()) };
    let keys = dev_setup_step(TrainStepCircuit::for_setup(shape, cfg), 1).unwrap();
    let prov = VerifierProvenance {
        command: "training_anvil test".into(),
        circuit: "train-step-8-4-3".into(),
        setup: DEV_SETUP_WARNING.into(),
    };
    let src = verifier_source(&keys.vk, "TrainStepVerifier", &prov);
    let eval_samples: Vec<Sample> = (0..5u8)
        .map(|k| Sample {
            features: (0..8).map(|i| ((i * 31 + usize::from(k) * 11) % 128) as i8).collect(),
            label: k % 3,
        })
        .collect();
    let eval_set = DatasetTree::<Fr>::new(eval_samples).unwrap();
    let eval_keys =
        dev_setup_eval(EvalCircuit::for_setup(EvalShape { inputs: 8, hidden: 4, classes: 3, samples: 5 }, cfg), 2)
            .unwrap();
    let eval_src = verifier_source(&eval_keys.vk, "TrainEvalVerifier", &prov);
    let artifacts = Compiler::new(&root)
        .unwrap()
        .compile_protocol(&[
            ("contracts/generated/TrainStepVerifier.sol".into(), src),
            ("contracts/generated/TrainEvalVerifier.sol".into(), eval_src),
        ])
        .unwrap();

    let anvil = spawn_anvil(&root).unwrap();
    let signer = |i: usize| PrivateKeySigner::from(anvil.keys()[i].clone());
    let admin = Account::connect(&anvil.endpoint(), signer(0)).await.unwrap();
    let prover = Account::connect(&anvil.endpoint(), signer(1)).await.unwrap();
    let (dep, _) = deploy_protocol(&admin, &artifacts, &ProtocolConfig::default()).await.unwrap();
    let (verifier, _) = deploy_verifier(&admin, &artifacts, "TrainStepVerifier").await.unwrap();
    let model_id =
        training::register_training_model(&admin, dep.registry, verifier, B256::repeat_byte(7), 10).await.unwrap();
    let (eval_verifier, _) = deploy_verifier(&admin, &artifacts, "TrainEvalVerifier").await.unwrap();
    let (ledger, _) = training::deploy_ledger(&admin, &artifacts, dep.registry, dep.token, 3600).await.unwrap();

    let salt = Fr::from(5u64);
    let mut weights = Mlp::seeded(8, 4, 3, 5, &cfg);
    let head0 = fr_to_u256(head::<Fr>(&weights, &cfg, salt));
    let params = ITrainingLedger::TrainingParams {
        datasetRoot: B256::from(fr_to_u256(tree.root())),
        evalRoot: fr_to_u256(eval_set.root()),
        initialHead: head0,
        evalVerifier: eval_verifier,
        stepReward: tokens(1),
        pointReward: tokens(3),
        stepsPerProof: 1,
    };
    training::init_training(&admin, ledger, model_id, params).await.unwrap();
    market::mint(&admin, dep.token, admin.address, tokens(100)).await.unwrap();
    // A funder names the evaluation verifier it pays for: any other is refused.
    market::mint(&admin, dep.token, admin.address, tokens(1)).await.unwrap();
    let r = reason(training::fund(&admin, dep.token, ledger, model_id, tokens(1), verifier).await);
    assert!(r.starts_with("TrainingLedgerEvalVerifierMismatch"), "{r}");
    training::fund(&admin, dep.token, ledger, model_id, tokens(100), eval_verifier).await.unwrap();

    let l = ITrainingLedger::new(ledger, &admin.provider);
    assert_eq!(l.SEED_DOMAIN().call().await.unwrap(), training::seed_domain());
    let chain_id = anvil.chain_id();
    let mut heads = vec![head0];
    let mut last_proof = None;
    for step in 0..2u64 {
        // The seed is fixed by the lineage: Rust's and the ledger's agree, and so do all callers.
        let seed = training::lineage_seed(chain_id, ledger, model_id, *heads.last().unwrap(), step);
        assert_eq!(seed, training::seed_of(&prover.provider, ledger, model_id).await.unwrap());
        assert_eq!(seed, training::seed_of(&admin.provider, ledger, model_id).await.unwrap());
        let (circuit, statement, after) =
            TrainStepCircuit::from_dataset(&weights, &tree, 2, fr(seed), step, prover.address.into_array(), &cfg, salt)
                .unwrap();
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
    let (before, after_head, proof) = last_proof.unwrap();
    let r = reason(training::submit_step(&prover, ledger, model_id, before, after_head, proof).await);
    assert!(r.starts_with("TrainingLedgerNotHead"), "{r}");
    let lineage = training::lineage(&prover.provider, ledger, model_id).await.unwrap();
    assert_eq!(lineage.len(), 2);
    for (i, s) in lineage.iter().enumerate() {
        assert_eq!((s.headBefore, s.headAfter, s.prover, s.step), (heads[i], heads[i + 1], prover.address, i as u64));
    }
    assert_eq!(
        training::credits_of(&prover.provider, ledger, prover.address).await.unwrap(),
        tokens(2),
        "one token per step"
    );

    // A proven evaluation of the current head, verified by the generated verifier.
    let (circuit, statement) = EvalCircuit::new(&weights, &eval_set, admin.address.into_array(), &cfg, salt).unwrap();
    assert_eq!(fr_to_u256(statement.head), *heads.last().unwrap());
    let proof = evm_proof_words(&prove_eval(&eval_keys, circuit, &mut rand::rngs::OsRng).unwrap());
    let score = statement.score;
    let mutations = [
        ("correct + 1", mlproof_circuits::native::trainer::Score { correct: score.correct + 1, ..score }, &admin),
        ("lossSum - 1", mlproof_circuits::native::trainer::Score { loss_sum: score.loss_sum - 1, ..score }, &admin),
        ("total + 1", mlproof_circuits::native::trainer::Score { total: score.total + 1, ..score }, &admin),
        ("another submitter", score, &prover),
    ];
    for (what, s, who) in mutations {
        let r = reason(training::submit_eval(who, ledger, model_id, 2, &s, proof).await);
        assert!(r.starts_with("TrainingLedgerInvalidEvalProof"), "{what}: {r}");
    }
    let mut bad = proof;
    bad[6] += U256::from(1);
    let r = reason(training::submit_eval(&admin, ledger, model_id, 2, &score, bad).await);
    assert!(r.starts_with("TrainingLedgerInvalidEvalProof") || r.contains("Verifier"), "mutated proof: {r}");
    let (event, _) = training::submit_eval(&admin, ledger, model_id, 2, &score, proof).await.unwrap();
    assert_eq!(
        (event.correct, event.total, event.lossSum, event.evaluator),
        (score.correct, 5, score.loss_sum, admin.address)
    );
    assert_eq!(event.reward, U256::ZERO, "the first evaluation is the baseline");
    assert_eq!(event.position, 2);
    let recorded = training::score_at(&admin.provider, ledger, model_id, 2).await.unwrap();
    assert_eq!((recorded.correct, recorded.total, recorded.head), (score.correct, 5, *heads.last().unwrap()));
    let r = reason(training::submit_eval(&admin, ledger, model_id, 2, &score, proof).await);
    assert!(r.starts_with("TrainingLedgerInvalidEvalPosition"), "replay: {r}");

    // Pull payment of the step rewards.
    let sent = training::withdraw(&prover, ledger).await.unwrap();
    assert!(sent.gas_used > 0);
    assert_eq!(training::credits_of(&prover.provider, ledger, prover.address).await.unwrap(), U256::ZERO);
    let r = reason(training::withdraw(&prover, ledger).await);
    assert!(r.starts_with("TrainingLedgerNothingToWithdraw"), "{r}");
}
