//! What the inference gadgets cost per operation, measured by synthesizing isolated layers in setup
//! mode (no witness values): constraints per multiply-accumulate with public and with private
//! weights, per requantization with ReLU, and per committed weight (range checks plus hashing).
//! `mlproof bench circuits` reports these; the gadgets' doc comments state the same costs as
//! formulas.

use ark_bn254::Fr;
use ark_r1cs_std::{alloc::AllocVar, fields::fp::FpVar};
use ark_relations::gr1cs::{ConstraintSystem, ConstraintSystemRef, SynthesisError, SynthesisMode};
use thiserror::Error;

use crate::{
    gadgets::{poseidon::commit_words, private_tensor},
    inference::layers::{
        dense_private::{bias_bits, dense_private, private_requant_bits},
        dense_public::dense_public,
    },
    native::model::{Activation, DenseLayer, Layer, QuantModel},
};

/// Per-operation constraint costs of a dense layer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct UnitCosts {
    /// Constraints per multiply-accumulate with public (constant) weights.
    pub per_mac_public: f64,
    /// Constraints per multiply-accumulate with private (committed) weights.
    pub per_mac_private: f64,
    /// Constraints per requantization with ReLU.
    pub per_requant_relu: f64,
    /// Constraints per committed weight or bias: its range check plus its share of the hashing.
    pub per_committed_weight: f64,
}

/// Why the costs could not be measured.
#[derive(Debug, Error)]
pub enum CostError {
    /// The model's first layer is not dense.
    #[error("unit costs are measured on a model whose first layer is dense")]
    NotDense,
    /// Synthesis failed.
    #[error("synthesis failed: {0}")]
    Synthesis(#[from] SynthesisError),
}

fn setup_cs() -> ConstraintSystemRef<Fr> {
    let cs = ConstraintSystem::<Fr>::new_ref();
    cs.set_mode(SynthesisMode::Setup);
    cs
}

fn witnesses(cs: &ConstraintSystemRef<Fr>, n: usize) -> Vec<FpVar<Fr>> {
    (0..n).map(|_| FpVar::new_witness(cs.clone(), || Ok(Fr::from(0u64))).expect("setup-mode witness")).collect()
}

fn requant_cost(d: &DenseLayer, n: u32) -> usize {
    d.out_features * (n as usize + if d.activation == Activation::Relu { 5 } else { 9 })
}

/// Per-operation costs measured on isolated layers of `model`'s first layer.
pub fn unit_costs(model: &QuantModel) -> Result<UnitCosts, CostError> {
    let Some(Layer::Dense(d)) = model.layers.first() else {
        return Err(CostError::NotDense);
    };
    let macs = (d.in_features * d.out_features) as f64;

    let cs = setup_cs();
    let x = witnesses(&cs, d.in_features);
    let _ = dense_public(d, &x, 0)?;
    let public_total = cs.num_constraints();
    let public_requant: usize = (0..d.out_features).map(|o| d.requant_bits(o, 0) as usize + 5).sum();
    let per_mac_public = (public_total - public_requant) as f64 / macs;
    let per_requant_relu = public_total as f64 / d.out_features as f64 - per_mac_public * d.in_features as f64;

    let cs = setup_cs();
    let x = witnesses(&cs, d.in_features);
    let w = private_tensor::alloc::<Fr>(&cs, None, d.weights.len(), 8)?;
    let b = private_tensor::alloc::<Fr>(&cs, None, d.bias.len(), bias_bits(d))?;
    let alloc = cs.num_constraints();
    let _ = dense_private(d, &w.values, &b.values, &x, 0)?;
    let private_total = cs.num_constraints() - alloc;
    let n = private_requant_bits(d, 0);
    let per_mac_private = (private_total - requant_cost(d, n)) as f64 / macs;

    let before = cs.num_constraints();
    let salt = witnesses(&cs, 1).remove(0);
    let mut words = w.words;
    words.extend(b.words);
    let _commitment = commit_words(&words, (d.weights.len() + d.bias.len()) as u64, &salt)?;
    let hashing = cs.num_constraints() - before;
    Ok(UnitCosts {
        per_mac_public,
        per_mac_private,
        per_requant_relu,
        per_committed_weight: (alloc + hashing) as f64 / (d.weights.len() + d.bias.len()) as f64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::native::slice::slice_model;

    #[test]
    fn public_macs_are_free_and_private_ones_packed() {
        let u = unit_costs(&slice_model().unwrap()).unwrap();
        assert_eq!(u.per_mac_public, 0.0, "a constant weight costs no constraint");
        assert!(u.per_mac_private > 0.0 && u.per_mac_private < 0.5, "{}", u.per_mac_private);
        assert!(u.per_requant_relu > 0.0 && u.per_committed_weight > 8.0, "{u:?}");
    }

    #[test]
    fn a_model_without_a_dense_first_layer_is_refused() {
        let mut m = slice_model().unwrap();
        m.layers.insert(0, Layer::Flatten);
        assert!(matches!(unit_costs(&m), Err(CostError::NotDense)));
    }
}
