//! Proving an inference and verifying it in Rust.

use ark_bn254::{Bn254, Fr};
use ark_groth16::{Groth16, Proof, VerifyingKey};
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystem};
use ark_snark::SNARK;
use mlproof_circuits::{InferenceCircuit, QuantModel, Salt, Statement};
use rand::{CryptoRng, RngCore};

use crate::{
    error::{ProverError, Result},
    setup::Keys,
};

/// A proof together with the statement it proves.
#[derive(Clone, Debug, PartialEq)]
pub struct InferenceProof {
    /// The Groth16 proof.
    pub proof: Proof<Bn254>,
    /// The statement (input, output, prover).
    pub statement: Statement,
}

/// Checks that the witness for `input` satisfies the circuit, naming the first failing constraint
/// otherwise. Cheaper than proving; used before proving so a false statement fails clearly.
pub fn check_satisfied(model: &QuantModel, statement: Statement) -> Result<()> {
    let cs = ConstraintSystem::<Fr>::new_ref();
    InferenceCircuit::with_statement(model, statement).generate_constraints(cs.clone())?;
    match cs.which_is_unsatisfied()? {
        None => Ok(()),
        Some(which) => Err(ProverError::Unsatisfied(which)),
    }
}

/// Proves `model(input)` for `prover`, computing the output with the native engine.
pub fn prove_inference<R: RngCore + CryptoRng>(
    keys: &Keys,
    model: &QuantModel,
    input: &[i8],
    prover: [u8; 20],
    rng: &mut R,
) -> Result<InferenceProof> {
    let (circuit, statement) = InferenceCircuit::new(model, input, prover)?;
    prove_circuit(keys, circuit, statement, rng)
}

/// Proves `model(input)` for `prover` with the weights private, committed under `salt`.
pub fn prove_inference_private<R: RngCore + CryptoRng>(
    keys: &Keys,
    model: &QuantModel,
    input: &[i8],
    prover: [u8; 20],
    salt: Salt,
    rng: &mut R,
) -> Result<InferenceProof> {
    let (circuit, statement) = InferenceCircuit::new_private(model, input, prover, salt)?;
    prove_circuit(keys, circuit, statement, rng)
}

/// Proves an already-built circuit (any weight / input visibility) for its statement.
pub fn prove_circuit<R: RngCore + CryptoRng>(
    keys: &Keys,
    circuit: InferenceCircuit<'_>,
    statement: Statement,
    rng: &mut R,
) -> Result<InferenceProof> {
    let proof = Groth16::<Bn254>::prove(&keys.pk, circuit, rng)?;
    Ok(InferenceProof { proof, statement })
}

/// Verifies a proof against a verifying key.
pub fn verify_inference(vk: &VerifyingKey<Bn254>, proof: &InferenceProof) -> Result<()> {
    let inputs = proof.statement.public_inputs::<Fr>();
    if Groth16::<Bn254>::verify(vk, &inputs, &proof.proof)? {
        Ok(())
    } else {
        Err(ProverError::InvalidProof)
    }
}
