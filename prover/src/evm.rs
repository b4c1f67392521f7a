//! EVM encoding of proofs and public inputs, and the JSON proof file.
//!
//! The proof is `[A.x, A.y, B.x.c1, B.x.c0, B.y.c1, B.y.c0, C.x, C.y]`: G2 coordinates go to the
//! pairing precompile (EIP-197) imaginary part first, while arkworks stores `Fq2` as `(c0, c1)` —
//! getting this wrong yields proofs that verify in Rust and fail on-chain.

use alloy::primitives::{Address, B256, U256};
use ark_bn254::{Bn254, Fq, Fq2, Fr, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use ark_ff::PrimeField;
use ark_groth16::Proof;
use mlproof_circuits::{
    native::packing,
    statement::{bind_payee, pack_output_be_words},
    QuantModel, Statement,
};
use serde::{Deserialize, Serialize};

use crate::{
    commitment::model_commitment,
    error::{ProverError, Result},
    prove::InferenceProof,
};

/// A base-field element as a `uint256`.
#[must_use]
pub fn fq_to_u256(f: Fq) -> U256 {
    U256::from_limbs(f.into_bigint().0)
}

/// A scalar-field element as a `uint256`.
#[must_use]
pub fn fr_to_u256(f: Fr) -> U256 {
    U256::from_limbs(f.into_bigint().0)
}

/// A `uint256` as a scalar-field element; `None` if it is not below r.
#[must_use]
pub fn u256_to_fr(v: U256) -> Option<Fr> {
    Fr::from_bigint(ark_ff::BigInt(v.into_limbs()))
}

fn u256_to_fq(v: U256, what: &str) -> Result<Fq> {
    Fq::from_bigint(ark_ff::BigInt(v.into_limbs()))
        .ok_or_else(|| ProverError::ProofFile(format!("{what} is not below the base field modulus q")))
}

/// A G1 point as `[x, y]` (the point at infinity is `[0, 0]`).
#[must_use]
pub fn g1_words(p: &G1Affine) -> [U256; 2] {
    p.xy().map_or([U256::ZERO; 2], |(x, y)| [fq_to_u256(x), fq_to_u256(y)])
}

/// A G2 point as `[x.c1, x.c0, y.c1, y.c0]`, the order of the pairing precompile.
#[must_use]
pub fn g2_words(p: &G2Affine) -> [U256; 4] {
    p.xy().map_or([U256::ZERO; 4], |(x, y)| [fq_to_u256(x.c1), fq_to_u256(x.c0), fq_to_u256(y.c1), fq_to_u256(y.c0)])
}

fn g1_from_words(w: &[U256], what: &str) -> Result<G1Affine> {
    let (x, y) = (u256_to_fq(w[0], what)?, u256_to_fq(w[1], what)?);
    if x == Fq::from(0u8) && y == Fq::from(0u8) {
        return Ok(G1Affine::identity());
    }
    let p = G1Affine::new_unchecked(x, y);
    if !p.is_on_curve() || !p.is_in_correct_subgroup_assuming_on_curve() {
        return Err(ProverError::ProofFile(format!("{what} is not a point of G1")));
    }
    Ok(p)
}

fn g2_from_words(w: &[U256], what: &str) -> Result<G2Affine> {
    let x = Fq2::new(u256_to_fq(w[1], what)?, u256_to_fq(w[0], what)?);
    let y = Fq2::new(u256_to_fq(w[3], what)?, u256_to_fq(w[2], what)?);
    if w.iter().all(|v| v.is_zero()) {
        return Ok(G2Affine::identity());
    }
    let p = G2Affine::new_unchecked(x, y);
    if !p.is_on_curve() || !p.is_in_correct_subgroup_assuming_on_curve() {
        return Err(ProverError::ProofFile(format!("{what} is not a point of G2")));
    }
    Ok(p)
}

/// A proof as the Solidity verifier takes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvmProof {
    /// `[A.x, A.y, B.x.c1, B.x.c0, B.y.c1, B.y.c0, C.x, C.y]`.
    pub proof: [U256; 8],
    /// Packed input words, or the single input commitment.
    pub input: Vec<U256>,
    /// Packed output words.
    pub output: Vec<U256>,
    /// With private weights: the weights commitment.
    pub weights_commitment: Option<U256>,
    /// The prover address bound into the proof.
    pub prover: Address,
}

impl EvmProof {
    /// Encodes a proof and its statement.
    #[must_use]
    pub fn new(proof: &Proof<Bn254>, statement: &Statement) -> Self {
        let a = g1_words(&proof.a);
        let b = g2_words(&proof.b);
        let c = g1_words(&proof.c);
        let words = |v: &[i8]| packing::pack_be_words(v).iter().map(|w| U256::from_be_bytes(*w)).collect();
        Self {
            proof: [a[0], a[1], b[0], b[1], b[2], b[3], c[0], c[1]],
            input: match statement.input_commitment {
                Some(c) => vec![U256::from_be_bytes(c)],
                None => words(&statement.input),
            },
            output: pack_output_be_words(&statement.output).iter().map(|w| U256::from_be_bytes(*w)).collect(),
            weights_commitment: statement.weights_commitment.map(U256::from_be_bytes),
            prover: Address::from(statement.prover),
        }
    }

    /// All public inputs in circuit order: input words, output words (the last with the prover at bit 88), [weights commitment].
    #[must_use]
    pub fn public_inputs(&self) -> Vec<U256> {
        let mut v = self.input.clone();
        v.extend(&self.output);
        if let Some(last) = v.last_mut() {
            // The output words have the payee bits clear, so the word is below r.
            let low = Fr::from_be_bytes_mod_order(&last.to_be_bytes::<32>());
            *last = fr_to_u256(bind_payee(low, &self.prover.into_array()));
        }
        v.extend(self.weights_commitment);
        v
    }

    /// Decodes the Groth16 proof, checking every coordinate and point.
    pub fn groth16_proof(&self) -> Result<Proof<Bn254>> {
        Ok(Proof {
            a: g1_from_words(&self.proof[0..2], "proof A")?,
            b: g2_from_words(&self.proof[2..6], "proof B")?,
            c: g1_from_words(&self.proof[6..8], "proof C")?,
        })
    }
}

/// The proof file written by `mlproof prove` (also the Foundry test fixture). Numbers are decimal
/// strings so `vm.parseJsonUintArray` and JavaScript read them without precision loss.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProofFile {
    /// Model name.
    pub model: String,
    /// keccak256 of the canonical model file.
    pub model_commitment: B256,
    /// The int8 input (empty when the input is committed: it stays private).
    pub input_values: Vec<i8>,
    /// With a committed input: the Poseidon commitment that replaces the input words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_commitment: Option<U256Dec>,
    /// The int8 output.
    pub output_values: Vec<i8>,
    /// Prover (payee) address.
    pub prover: Address,
    /// Proof words.
    pub proof: Vec<U256Dec>,
    /// Packed input words.
    pub input: Vec<U256Dec>,
    /// Packed output words.
    pub output: Vec<U256Dec>,
    /// With private weights: the Poseidon commitment to the weights.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weights_commitment: Option<U256Dec>,
    /// All public inputs in circuit order.
    pub public_inputs: Vec<U256Dec>,
}

/// A `uint256` serialized as a decimal string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct U256Dec(pub U256);

impl Serialize for U256Dec {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.to_string())
    }
}

impl<'de> Deserialize<'de> for U256Dec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse::<U256>().map(U256Dec).map_err(serde::de::Error::custom)
    }
}

fn dec(v: &[U256]) -> Vec<U256Dec> {
    v.iter().copied().map(U256Dec).collect()
}

impl ProofFile {
    /// Builds the proof file for a proof of `model`.
    #[must_use]
    pub fn new(model: &QuantModel, proof: &InferenceProof) -> Self {
        let evm = EvmProof::new(&proof.proof, &proof.statement);
        Self {
            model: model.name.clone(),
            model_commitment: model_commitment(model),
            input_values: if proof.statement.input_commitment.is_some() {
                Vec::new()
            } else {
                proof.statement.input.clone()
            },
            input_commitment: proof.statement.input_commitment.map(|c| U256Dec(U256::from_be_bytes(c))),
            output_values: proof.statement.output.clone(),
            prover: evm.prover,
            proof: dec(&evm.proof),
            input: dec(&evm.input),
            output: dec(&evm.output),
            weights_commitment: evm.weights_commitment.map(U256Dec),
            public_inputs: dec(&evm.public_inputs()),
        }
    }

    /// The EVM encoding, checking that the words agree with the int8 values and each other.
    pub fn to_evm(&self) -> Result<EvmProof> {
        let proof: [U256; 8] = self
            .proof
            .iter()
            .map(|d| d.0)
            .collect::<Vec<_>>()
            .try_into()
            .map_err(|_| ProverError::ProofFile(format!("proof has {} words, expected 8", self.proof.len())))?;
        let evm = EvmProof {
            proof,
            input: self.input.iter().map(|d| d.0).collect(),
            output: self.output.iter().map(|d| d.0).collect(),
            weights_commitment: self.weights_commitment.map(|d| d.0),
            prover: self.prover,
        };
        let statement = self.statement();
        let expected: Vec<U256> = statement.public_inputs::<Fr>().into_iter().map(fr_to_u256).collect();
        if evm.public_inputs() != expected || self.public_inputs.iter().map(|d| d.0).collect::<Vec<_>>() != expected {
            return Err(ProverError::ProofFile("packed words disagree with inputValues/outputValues/prover".into()));
        }
        Ok(evm)
    }

    /// The statement this file claims.
    #[must_use]
    pub fn statement(&self) -> Statement {
        Statement {
            input: self.input_values.clone(),
            output: self.output_values.clone(),
            prover: self.prover.into_array(),
            weights_commitment: self.weights_commitment.map(|d| d.0.to_be_bytes::<32>()),
            input_commitment: self.input_commitment.map(|d| d.0.to_be_bytes::<32>()),
        }
    }

    /// Decodes the proof and statement, checking points and packing.
    pub fn to_inference_proof(&self) -> Result<InferenceProof> {
        let evm = self.to_evm()?;
        Ok(InferenceProof { proof: evm.groth16_proof()?, statement: self.statement() })
    }
}

/// Whether `v` is a canonical scalar field element (< r), as the Solidity verifier requires.
#[must_use]
pub fn is_canonical_scalar(v: U256) -> bool {
    v < U256::from_limbs(Fr::MODULUS.0)
}

/// BN254 scalar field modulus r as a `uint256`.
#[must_use]
pub fn scalar_modulus() -> U256 {
    U256::from_limbs(Fr::MODULUS.0)
}

/// BN254 base field modulus q as a `uint256`.
#[must_use]
pub fn base_modulus() -> U256 {
    U256::from_limbs(Fq::MODULUS.0)
}
