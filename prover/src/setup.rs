//! Groth16 key generation.

use alloy::primitives::{keccak256, B256};
use ark_bn254::{Bn254, Fr};
use ark_groth16::{Groth16, ProvingKey, VerifyingKey};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize, Compress, Valid, Validate};
use ark_snark::SNARK;
use mlproof_circuits::{InferenceCircuit, QuantModel, Visibility};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

use crate::{
    commitment::model_commitment,
    error::{ProverError, Result},
};

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
    let mut circuit = InferenceCircuit::for_setup(model, visibility);
    if committed_input {
        circuit = circuit.with_committed_input(None).0;
    }
    dev_setup_circuit(circuit, seed)
}

/// Development setup (NOT FOR PRODUCTION: the toxic waste derives from `seed`) of any circuit.
pub fn dev_setup_circuit<C: ark_relations::gr1cs::ConstraintSynthesizer<Fr>>(circuit: C, seed: u64) -> Result<Keys> {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let (pk, vk) = Groth16::<Bn254>::circuit_specific_setup(circuit, &mut rng)?;
    Ok(Keys { pk, vk })
}

/// What a proving-key file was generated for; written in its header and checked on load so a key
/// for another model or another visibility is refused with a clear error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyTag {
    /// [`crate::commitment::model_commitment`] of the model.
    pub model: B256,
    /// Keys for private (committed) weights.
    pub private_weights: bool,
    /// Keys for a committed input.
    pub committed_input: bool,
    /// Keys from a development setup (a seeded, single-party setup whose toxic waste is known):
    /// written in the header so that a deployment can refuse them on a public chain. Not
    /// compared by [`KeyTag::expect`]: it says where keys came from, not what they prove.
    pub dev_setup: bool,
}

impl KeyTag {
    /// The tag of keys for `model` with the given visibilities.
    #[must_use]
    pub fn new(model: &QuantModel, visibility: Visibility, committed_input: bool) -> Self {
        Self {
            model: model_commitment(model),
            private_weights: visibility == Visibility::Private,
            committed_input,
            dev_setup: false,
        }
    }

    /// The same tag, marked as keys from a development setup.
    #[must_use]
    pub const fn dev(self) -> Self {
        Self { dev_setup: true, ..self }
    }

    fn describe(&self) -> String {
        format!(
            "model {} with {} weights and a {} input",
            self.model,
            if self.private_weights { "private" } else { "public" },
            if self.committed_input { "committed" } else { "public" }
        )
    }

    /// Fails unless `self` (read from a key file) is `expected`.
    pub fn expect(&self, expected: &Self) -> Result<()> {
        let what = |t: &Self| (t.model, t.private_weights, t.committed_input);
        if what(self) == what(expected) {
            Ok(())
        } else {
            Err(ProverError::KeyFile(format!(
                "the key is for {}, but {} was asked for",
                self.describe(),
                expected.describe()
            )))
        }
    }
}

/// Key file layout: `MAGIC ‖ tag (32-byte model commitment, flags byte) ‖ keccak256(body) ‖ body`,
/// the body being the uncompressed proving key. Uncompressed points load without square roots
/// (a 784-56-10 private-weight key loads in about a second instead of about a minute); the checksum
/// catches corruption, and the verifying key inside is fully validated.
const MAGIC: &[u8; 8] = b"mlprfpk1";
const HEADER: usize = 8 + 32 + 1 + 32;

impl Keys {
    /// Serializes the keys with their tag (see the layout above).
    pub fn to_bytes(&self, tag: &KeyTag) -> Result<Vec<u8>> {
        let mut body = Vec::new();
        self.pk.serialize_uncompressed(&mut body)?;
        let mut out = Vec::with_capacity(HEADER + body.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(tag.model.as_slice());
        out.push(u8::from(tag.private_weights) | (u8::from(tag.committed_input) << 1) | (u8::from(tag.dev_setup) << 2));
        out.extend_from_slice(keccak256(&body).as_slice());
        out.extend_from_slice(&body);
        Ok(out)
    }

    /// Parses bytes written by [`Keys::to_bytes`]: checks the magic, the checksum and the
    /// verifying key's points (on curve, in the subgroup).
    pub fn from_bytes(bytes: &[u8]) -> Result<(KeyTag, Self)> {
        let tag = Self::tag_of(bytes)?;
        let body = &bytes[HEADER..];
        if keccak256(body).as_slice() != &bytes[41..HEADER] {
            return Err(ProverError::KeyFile("checksum mismatch: the key file is corrupted or truncated".into()));
        }
        let pk = ProvingKey::<Bn254>::deserialize_with_mode(body, Compress::No, Validate::No)?;
        pk.vk.check()?;
        Ok((tag, Self { vk: pk.vk.clone(), pk }))
    }

    /// Writes the keys and their tag to `path`.
    pub fn save(&self, path: &std::path::Path, tag: &KeyTag) -> Result<()> {
        std::fs::write(path, self.to_bytes(tag)?).map_err(|e| ProverError::io(path, e))
    }

    /// Reads only the tag of the key file at `path` (its header; the key itself is not loaded).
    pub fn read_tag(path: &std::path::Path) -> Result<KeyTag> {
        use std::io::Read;
        let mut header = [0u8; HEADER];
        std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut header)).map_err(|e| ProverError::io(path, e))?;
        Self::tag_of(&header)
            .map_err(|_| ProverError::KeyFile(format!("{} is not an mlproof proving key", path.display())))
    }

    /// The tag in the header at the start of `bytes` (magic and flags checked).
    fn tag_of(bytes: &[u8]) -> Result<KeyTag> {
        if bytes.len() < HEADER || &bytes[..8] != MAGIC {
            return Err(ProverError::KeyFile(
                "not an mlproof proving key (bad magic); regenerate it with `mlproof setup`".into(),
            ));
        }
        let flags = bytes[40];
        if flags > 7 {
            return Err(ProverError::KeyFile(format!("unknown flags {flags:#x} in the key header")));
        }
        Ok(KeyTag {
            model: B256::from_slice(&bytes[8..40]),
            private_weights: flags & 1 == 1,
            committed_input: flags & 2 == 2,
            dev_setup: flags & 4 == 4,
        })
    }

    /// Reads keys from `path` and checks they were made for `expected`.
    pub fn load(path: &std::path::Path, expected: &KeyTag) -> Result<Self> {
        let bytes = std::fs::read(path).map_err(|e| ProverError::io(path, e))?;
        let (tag, keys) = Self::from_bytes(&bytes)?;
        tag.expect(expected)?;
        Ok(keys)
    }
}

/// Number of R1CS constraints of `model`'s inference circuit with public weights.
pub fn constraint_count(model: &QuantModel) -> Result<usize> {
    constraint_count_with(model, Visibility::Public)
}

/// Number of R1CS constraints of `model`'s inference circuit.
pub fn constraint_count_with(model: &QuantModel, visibility: Visibility) -> Result<usize> {
    constraint_count_shape(model, visibility, false)
}

/// Number of R1CS constraints of `model`'s inference circuit, with the input public or committed.
pub fn constraint_count_shape(model: &QuantModel, visibility: Visibility, committed_input: bool) -> Result<usize> {
    use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystem, SynthesisMode};
    let cs = ConstraintSystem::<ark_bn254::Fr>::new_ref();
    cs.set_mode(SynthesisMode::Setup);
    let mut circuit = InferenceCircuit::for_setup(model, visibility);
    if committed_input {
        circuit = circuit.with_committed_input(None).0;
    }
    circuit.generate_constraints(cs.clone())?;
    Ok(cs.num_constraints())
}
