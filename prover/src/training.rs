//! Groth16 for the training-step circuit ([`mlproof_circuits::train_circuit`]): development setup,
//! proving and verification against the step's statement.

use ark_bn254::{Bn254, Fr};
use ark_groth16::{Groth16, Proof};
use ark_snark::SNARK;
use mlproof_circuits::train_circuit::{TrainStatement, TrainStepCircuit};
use rand::{CryptoRng, RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;

use crate::{
    error::{ProverError, Result},
    Keys,
};

/// Development setup (NOT FOR PRODUCTION: the toxic waste derives from `seed`) for the step
/// circuit's shape.
pub fn dev_setup_step(circuit: TrainStepCircuit<Fr>, seed: u64) -> Result<Keys> {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let (pk, vk) = Groth16::<Bn254>::circuit_specific_setup(circuit, &mut rng)?;
    Ok(Keys { pk, vk })
}

/// Proves one training step.
pub fn prove_step<R: RngCore + CryptoRng>(keys: &Keys, circuit: TrainStepCircuit<Fr>, rng: &mut R) -> Result<Proof<Bn254>> {
    Ok(Groth16::<Bn254>::prove(&keys.pk, circuit, rng)?)
}

/// Verifies a step proof against its statement.
pub fn verify_step(keys: &Keys, statement: &TrainStatement<Fr>, proof: &Proof<Bn254>) -> Result<()> {
    if Groth16::<Bn254>::verify(&keys.vk, &statement.public_inputs(), proof)? {
        Ok(())
    } else {
        Err(ProverError::InvalidProof)
    }
}
