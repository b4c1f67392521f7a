//! Private (committed) weights: the circuit agrees with the native engine, binds the weights to the
//! public commitment, and pays the documented packed cost per multiply-accumulate.

use ark_bn254::Fr;
use ark_r1cs_std::{alloc::AllocVar, fields::fp::FpVar};
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystem, SynthesisMode};
use mlproof_circuits::{
    gadgets::private_tensor,
    inference::layers::dense_private::{bias_bits, dense_private, group_size, private_requant_bits},
    native::commitment::weights_commitment,
    native::engine,
    native::model::{Activation, Layer, QuantModel},
    native::slice::{random_mlp, sample_input, slice_model},
    statement::public_input_count,
    InferenceCircuit, Salt, Statement, Visibility,
};

const PROVER: [u8; 20] = [0x33; 20];
const SALT: Salt = Salt([7u8; 31]);

fn satisfied(model: &QuantModel, st: Statement, salt: Salt) -> bool {
    let cs = ConstraintSystem::<Fr>::new_ref();
    InferenceCircuit::with_private_statement(model, st, salt).generate_constraints(cs.clone()).unwrap();
    assert_eq!(cs.num_instance_variables(), 1 + public_input_count(model, Visibility::Private));
    cs.is_satisfied().unwrap()
}

#[test]
fn private_circuit_agrees_with_native_engine() {
    for model in [slice_model().unwrap(), random_mlp("wide", 3, 100, &[40, 12]).unwrap()] {
        for seed in 0..6 {
            let input = sample_input(seed, model.input_len);
            let (_, st) = InferenceCircuit::new_private(&model, &input, PROVER, SALT).unwrap();
            assert_eq!(st.output, engine::forward(&model, &input).unwrap());
            assert!(satisfied(&model, st, SALT), "{} seed {seed}", model.name);
        }
    }
}

#[test]
fn weights_must_match_the_commitment() {
    let model = slice_model().unwrap();
    let input = sample_input(4, model.input_len);
    let (_, st) = InferenceCircuit::new_private(&model, &input, PROVER, SALT).unwrap();

    // Another salt: the commitment no longer opens.
    assert!(!satisfied(&model, st.clone(), Salt([8u8; 31])));

    // Other weights (one weight changed), with the output they really produce, under the original
    // commitment: rejected.
    let mut other = model.clone();
    let Layer::Dense(d) = &mut other.layers[0] else { unreachable!() };
    d.weights[5] = if d.weights[5] == 127 { 126 } else { d.weights[5] + 1 };
    let mut swapped = st.clone();
    swapped.output = engine::forward(&other, &input).unwrap();
    assert!(!satisfied(&other, swapped, SALT));

    // The committed weights with a wrong output: rejected.
    let mut wrong = st.clone();
    wrong.output[0] = wrong.output[0].wrapping_add(1);
    assert!(!satisfied(&model, wrong, SALT));

    // A public-weight statement (no commitment) cannot be proven by the private circuit.
    assert_ne!(weights_commitment::<Fr>(&model, &SALT), weights_commitment::<Fr>(&other, &SALT));
}

#[test]
fn packed_macs_cost_as_documented() {
    let model = random_mlp("cost", 11, 64, &[56, 10]).unwrap();
    let Layer::Dense(d) = &model.layers[0] else { unreachable!() };
    let cs = ConstraintSystem::<Fr>::new_ref();
    cs.set_mode(SynthesisMode::Setup);
    let x: Vec<FpVar<Fr>> =
        (0..d.in_features).map(|_| FpVar::new_witness(cs.clone(), || Ok(Fr::from(0u64))).unwrap()).collect();
    let w = private_tensor::alloc::<Fr>(&cs, None, d.weights.len(), 8).unwrap();
    let b = private_tensor::alloc::<Fr>(&cs, None, d.bias.len(), bias_bits(d)).unwrap();
    let before = cs.num_constraints();
    dense_private(d, &w.values, &b.values, &x, 0).unwrap();
    let total = cs.num_constraints() - before;
    let n = private_requant_bits(d, 0) as usize;
    let k = group_size(n as u32);
    let groups = d.out_features.div_ceil(k);
    let per_neuron = n + if d.activation == Activation::Relu { 5 } else { 9 };
    let mac_constraints = total - d.out_features * per_neuron;
    assert_eq!(mac_constraints, groups * (d.in_features + 1));
    let per_mac = mac_constraints as f64 / (d.in_features * d.out_features) as f64;
    assert!(per_mac <= 0.5, "{per_mac} constraints per MAC (n = {n}, k = {k})");
}
