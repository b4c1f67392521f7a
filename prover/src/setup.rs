//! Groth16 key generation.

use ark_bn254::Bn254;
use ark_groth16::{Groth16, ProvingKey, VerifyingKey};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use ark_snark::SNARK;
use mlproof_circuits::{InferenceCircuit, QuantModel, Visibility};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

use crate::error::{ProverError, Result};

/// Label printed wherever development keys are used.
pub const DEV_SETUP_WARNING: &str =
    "development setup derived from a public seed: NOT FOR PRODUCTION (anyone knowing the seed can forge proofs)";

/// A proving key and its verifying key.
#[derive(Clone, Debug, PartialEq)]
pub struct Keys {
    /// Groth16 proving key.
    pub pk: ProvingKey<Bn254>,
    /// Groth16 verifying key (also inside `pk`).
    pub vk: VerifyingKey<Bn254>,
}

/// Development setup: Groth16 keys for `model`'s inference circuit (public weights), derived
/// deterministically from `seed`. **Not for production**: the toxic waste is reproducible by anyone
/// who knows the seed.
pub fn dev_setup(model: &QuantModel, seed: u64) -> Result<Keys> {
    dev_setup_with(model, seed, Visibility::Public)
}

/// [`dev_setup`] for either weight visibility.
pub fn dev_setup_with(model: &QuantModel, seed: u64, visibility: Visibility) -> Result<Keys> {
    dev_setup_shape(model, seed, visibility, false)
}

/// [`dev_setup`] for either weight visibility, with the input public or committed.
pub fn dev_setup_shape(model: &QuantModel, seed: u64, visibility: Visibility, committed_input: bool) -> Result<Keys> {
    model.validate()?;
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let mut circuit = InferenceCircuit::for_setup(model, visibility);
    if committed_input {
        circuit = circuit.with_committed_input(None).0;
    }
    let (pk, vk) = Groth16::<Bn254>::circuit_specific_setup(circuit, &mut rng)?;
    Ok(Keys { pk, vk })
}

impl Keys {
    /// Serializes the proving key (compressed; it contains the verifying key).
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        self.pk.serialize_compressed(&mut out)?;
        Ok(out)
    }

    /// Deserializes a proving key written by [`Keys::to_bytes`], checking every point.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let pk = ProvingKey::<Bn254>::deserialize_compressed(bytes)?;
        Ok(Self { vk: pk.vk.clone(), pk })
    }

    /// Writes the proving key to `path`.
    pub fn save(&self, path: &std::path::Path) -> Result<()> {
        std::fs::write(path, self.to_bytes()?).map_err(|e| ProverError::io(path, e))
    }

    /// Reads a proving key from `path`.
    pub fn load(path: &std::path::Path) -> Result<Self> {
        let bytes = std::fs::read(path).map_err(|e| ProverError::io(path, e))?;
        Self::from_bytes(&bytes)
    }
}

/// Number of R1CS constraints of `model`'s inference circuit with public weights.
pub fn constraint_count(model: &QuantModel) -> Result<usize> {
    constraint_count_with(model, Visibility::Public)
}

/// Number of R1CS constraints of `model`'s inference circuit.
pub fn constraint_count_with(model: &QuantModel, visibility: Visibility) -> Result<usize> {
    use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystem, SynthesisMode};
    let cs = ConstraintSystem::<ark_bn254::Fr>::new_ref();
    cs.set_mode(SynthesisMode::Setup);
    InferenceCircuit::for_setup(model, visibility).generate_constraints(cs.clone())?;
    Ok(cs.num_constraints())
}
