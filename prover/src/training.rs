//! Groth16 for the training circuits: the SGD step ([`mlproof_circuits::train`]) and the
//! held-out evaluation ([`mlproof_circuits::eval`]): development setup, proving and
//! verification against each statement.

use ark_bn254::{Bn254, Fr};
use ark_groth16::{Groth16, Proof};
use ark_snark::SNARK;
use mlproof_circuits::{
    eval::EvalCircuit,
    statement::{EvalStatement, TrainStatement},
    train::TrainStepCircuit,
};
use rand::{CryptoRng, RngCore};

use crate::{
    error::{ProverError, Result},
    setup::dev_setup_circuit,
    Keys,
};

fn verify_inputs(keys: &Keys, inputs: &[Fr], proof: &Proof<Bn254>) -> Result<()> {
    if Groth16::<Bn254>::verify(&keys.vk, inputs, proof)? {
        Ok(())
    } else {
        Err(ProverError::InvalidProof)
    }
}

/// Development setup (NOT FOR PRODUCTION: the toxic waste derives from `seed`) for the step
/// circuit's shape.
pub fn dev_setup_step(circuit: TrainStepCircuit<Fr>, seed: u64) -> Result<Keys> {
    dev_setup_circuit(circuit, seed)
}

/// Proves one training step.
pub fn prove_step<R: RngCore + CryptoRng>(
    keys: &Keys,
    circuit: TrainStepCircuit<Fr>,
    rng: &mut R,
) -> Result<Proof<Bn254>> {
    Ok(Groth16::<Bn254>::prove(&keys.pk, circuit, rng)?)
}

/// Verifies a step proof against its statement.
pub fn verify_step(keys: &Keys, statement: &TrainStatement<Fr>, proof: &Proof<Bn254>) -> Result<()> {
    verify_inputs(keys, &statement.public_inputs(), proof)
}

/// Development setup (NOT FOR PRODUCTION) for the evaluation circuit's shape.
pub fn dev_setup_eval(circuit: EvalCircuit<Fr>, seed: u64) -> Result<Keys> {
    dev_setup_circuit(circuit, seed)
}

/// Proves one evaluation.
pub fn prove_eval<R: RngCore + CryptoRng>(keys: &Keys, circuit: EvalCircuit<Fr>, rng: &mut R) -> Result<Proof<Bn254>> {
    Ok(Groth16::<Bn254>::prove(&keys.pk, circuit, rng)?)
}

/// Verifies an evaluation proof against its statement.
pub fn verify_eval(keys: &Keys, statement: &EvalStatement<Fr>, proof: &Proof<Bn254>) -> Result<()> {
    verify_inputs(keys, &statement.public_inputs(), proof)
}

/// The proof as the EVM verifier takes it: `[A.x, A.y, B.x.c1, B.x.c0, B.y.c1, B.y.c0, C.x, C.y]`.
#[must_use]
pub fn evm_proof_words(proof: &Proof<Bn254>) -> [alloy::primitives::U256; 8] {
    let (a, b, c) = (crate::evm::g1_words(&proof.a), crate::evm::g2_words(&proof.b), crate::evm::g1_words(&proof.c));
    [a[0], a[1], b[0], b[1], b[2], b[3], c[0], c[1]]
}
