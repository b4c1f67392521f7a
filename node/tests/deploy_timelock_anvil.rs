//! `deploy_all` to a chain whose profile is not local (an anvil marked `local = false`): an
//! MlproofTimelock is deployed and holds the market's admin and treasury roles and its treasury,
//! as `script/Deploy.s.sol` wires it; the deployer keeps only the pauser role and proposes to the
//! timelock. The profile's protocol fee reaches the market's parameters.

use std::path::PathBuf;

use alloy::{
    primitives::{keccak256, B256},
    signers::local::PrivateKeySigner,
};
use mlproof_circuits::{QuantModel, Visibility};
use mlproof_node::{
    deploy::{has_role, treasury_role, ProtocolConfig},
    deployments::{deploy_all, Deployments, Network, Plan, PlannedModel},
    NodeError,
};
use mlproof_prover::{setup::dev_setup_shape, KeyTag};
use mlproof_relayer::{
    bindings::IMarketGovernance,
    chain::{spawn_anvil, Account},
};

#[tokio::test(flavor = "multi_thread")]
async fn a_deployment_off_a_local_chain_hands_the_market_to_a_timelock() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let anvil = spawn_anvil(&root).unwrap();
    let admin = Account::connect(&anvil.endpoint(), PrivateKeySigner::from(anvil.keys()[0].clone())).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let model_path = root.join("models/slice-mlp.json");
    let model = QuantModel::from_json(&std::fs::read_to_string(&model_path).unwrap()).unwrap();
    let key = dir.path().join("slice.pk");
    dev_setup_shape(&model, 1, Visibility::Public, true)
        .unwrap()
        .save(&key, &KeyTag::new(&model, Visibility::Public, true).dev())
        .unwrap();
    let models = [PlannedModel { model: model_path, proving_key: key, weights_salt: None }];
    let public = Network {
        protocol_fee_bps: Some(300),
        governance_delay_s: Some(3_600),
        ..Network::new(anvil.endpoint(), anvil.chain_id(), false)
    };
    let plan = Plan {
        network: "testnet",
        profile: &public,
        models: &models,
        force_dev_setup: true,
        protocol: ProtocolConfig::default(),
    };
    let dep = deploy_all(&admin, &root, &plan).await.unwrap();
    let timelock = dep.timelock.expect("a timelock off a local chain");
    let path = Deployments::path_in(dir.path(), dep.chain_id);
    dep.save(&path).unwrap();
    assert_eq!(Deployments::load(&path).unwrap().timelock, Some(timelock));

    let (market, me, p) = (dep.market, admin.address, &admin.provider);
    let role = |r: &str| keccak256(r);
    assert!(has_role(p, market, B256::ZERO, timelock).await.unwrap(), "the timelock is the admin");
    assert!(has_role(p, market, treasury_role(), timelock).await.unwrap());
    assert!(!has_role(p, market, B256::ZERO, me).await.unwrap(), "the deployer renounced the admin role");
    assert!(!has_role(p, market, treasury_role(), me).await.unwrap());
    assert!(has_role(p, market, role("PAUSER_ROLE"), me).await.unwrap(), "the deployer keeps the pauser role");
    assert!(has_role(p, timelock, role("PROPOSER_ROLE"), me).await.unwrap());
    assert!(has_role(p, timelock, role("EXECUTOR_ROLE"), me).await.unwrap());
    let gov = IMarketGovernance::new(market, p);
    assert_eq!(gov.treasury().call().await.unwrap(), timelock);
    let params = gov.params().call().await.unwrap();
    assert_eq!(params.protocolFeeBps, 300);
    // The deployer can no longer change parameters directly: only through the timelock's delay.
    let e = admin.send("setParams", gov.setParams(params)).await.map_err(NodeError::from).unwrap_err();
    assert!(e.revert_reason().is_some_and(|r| r.starts_with("AccessControlUnauthorizedAccount")), "{e}");
}
