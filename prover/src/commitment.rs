//! The model commitment registered on-chain beside the model's verifier.

use alloy::primitives::{keccak256, B256};
use mlproof_circuits::QuantModel;

/// `keccak256` of the model's canonical JSON serialization.
#[must_use]
pub fn model_commitment(model: &QuantModel) -> B256 {
    keccak256(model.to_canonical_json().as_bytes())
}
