//! The inference circuit agrees with the native engine and rejects false statements.

use ark_bn254::Fr;
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystem, SynthesisMode};
use mlproof_circuits::{
    native::engine,
    native::model::QuantModel,
    native::slice::{sample_input, slice_model},
    statement::public_input_count,
    InferenceCircuit, ModelError, Statement, Visibility,
};

const PROVER: [u8; 20] = [0x70; 20];

fn satisfied(model: &QuantModel, st: Statement) -> bool {
    let cs = ConstraintSystem::<Fr>::new_ref();
    InferenceCircuit::with_statement(model, st).generate_constraints(cs.clone()).unwrap();
    assert_eq!(cs.num_instance_variables(), 1 + public_input_count(model, Visibility::Public));
    cs.is_satisfied().unwrap()
}

#[test]
fn native_engine_and_circuit_agree_on_many_inputs() {
    let model = slice_model().unwrap();
    for seed in 0..24 {
        let input = sample_input(seed, model.input_len);
        let (_, st) = InferenceCircuit::new(&model, &input, PROVER).unwrap();
        assert_eq!(st.output, engine::forward(&model, &input).unwrap());
        assert!(satisfied(&model, st), "seed {seed}");
    }
}

#[test]
fn extreme_inputs_satisfy() {
    let model = slice_model().unwrap();
    for v in [-128i8, 127, 0] {
        let input = vec![v; model.input_len];
        let (_, st) = InferenceCircuit::new(&model, &input, PROVER).unwrap();
        assert!(satisfied(&model, st));
    }
}

#[test]
fn wrong_output_is_rejected() {
    let model = slice_model().unwrap();
    let input = sample_input(7, model.input_len);
    let (_, st) = InferenceCircuit::new(&model, &input, PROVER).unwrap();
    for i in 0..st.output.len() {
        let mut bad = st.clone();
        bad.output[i] = bad.output[i].wrapping_add(1);
        assert!(!satisfied(&model, bad), "output[{i}] + 1 accepted");
    }
}

#[test]
fn output_for_a_different_input_is_rejected() {
    let model = slice_model().unwrap();
    let a = sample_input(1, model.input_len);
    let b = sample_input(2, model.input_len);
    let (_, sa) = InferenceCircuit::new(&model, &a, PROVER).unwrap();
    let (_, sb) = InferenceCircuit::new(&model, &b, PROVER).unwrap();
    assert_ne!(sa.output, sb.output);
    let mixed =
        Statement { input: a, output: sb.output, prover: PROVER, weights_commitment: None, input_commitment: None };
    assert!(!satisfied(&model, mixed));
}

#[test]
fn constraint_count_matches_the_documented_costs_and_macs_are_free() {
    use mlproof_circuits::native::model::{Activation, Layer};
    let model = slice_model().unwrap();
    let cs = ConstraintSystem::<Fr>::new_ref();
    cs.set_mode(SynthesisMode::Setup);
    InferenceCircuit::for_setup(&model, Visibility::Public).generate_constraints(cs.clone()).unwrap();
    // Inputs: 8 bits per value + 1 per word; address: 161; outputs: 1 per word;
    // each neuron: n + 5 (ReLU) or n + 9 (no ReLU); multiply-accumulates: 0.
    let words = model.input_len.div_ceil(31);
    let mut expected = 8 * model.input_len + words + 161 + model.output_len().div_ceil(31);
    for layer in &model.layers {
        let Layer::Dense(d) = layer else { continue };
        for o in 0..d.out_features {
            let extra = if d.activation == Activation::Relu { 5 } else { 9 };
            expected += d.requant_bits(o, 0) as usize + extra;
        }
    }
    assert_eq!(cs.num_constraints(), expected);
    println!("slice-mlp: {} constraints, {} MACs", cs.num_constraints(), model.macs());
}

#[test]
fn malformed_models_fail_with_named_errors() {
    let model = slice_model().unwrap();
    let mut json: serde_json::Value = serde_json::from_str(&model.to_canonical_json()).unwrap();
    json["layers"][1]["weights"][3] = serde_json::json!(300);
    let err = QuantModel::from_json(&json.to_string()).unwrap_err();
    assert_eq!(err, ModelError::WeightOutOfRange { layer: 1, index: 3, value: 300 });
    assert!(err.to_string().contains("layer 1"));

    let mut json: serde_json::Value = serde_json::from_str(&model.to_canonical_json()).unwrap();
    json["layers"][1]["in_features"] = serde_json::json!(15);
    assert!(matches!(
        QuantModel::from_json(&json.to_string()).unwrap_err(),
        ModelError::Shape { layer: 1, what: "in_features", .. }
    ));

    let mut json: serde_json::Value = serde_json::from_str(&model.to_canonical_json()).unwrap();
    json["layers"][0]["type"] = serde_json::json!("conv3d");
    assert!(
        matches!(QuantModel::from_json(&json.to_string()).unwrap_err(), ModelError::Parse(m) if m.contains("conv3d"))
    );

    assert!(matches!(QuantModel::from_json("{").unwrap_err(), ModelError::Parse(_)));
    assert_eq!(model.check_input(&[1, 2]).unwrap_err(), ModelError::InputLength { got: 2, expected: 64 });
    let mut big = vec![0i64; 64];
    big[5] = 128;
    assert_eq!(model.check_input(&big).unwrap_err(), ModelError::InputOutOfRange { index: 5, value: 128 });
}

#[test]
fn model_json_roundtrips() {
    let model = slice_model().unwrap();
    assert_eq!(QuantModel::from_json(&model.to_canonical_json()).unwrap(), model);
}

mod no_panic {
    use super::*;
    use proptest::prelude::*;

    /// Walks `path` (indices taken modulo each container's size) and replaces the node reached.
    fn mutate(v: &mut serde_json::Value, path: &[usize], new: serde_json::Value) {
        let Some((&p, rest)) = path.split_first() else {
            *v = new;
            return;
        };
        match v {
            serde_json::Value::Object(m) if !m.is_empty() => {
                let k = m.keys().nth(p % m.len()).cloned().unwrap();
                mutate(m.get_mut(&k).unwrap(), rest, new);
            }
            serde_json::Value::Array(a) if !a.is_empty() => {
                let n = a.len();
                mutate(&mut a[p % n], rest, new);
            }
            _ => *v = new,
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        /// Any single-leaf mutation of a valid model either loads (and then runs) or fails with an
        /// error; nothing panics.
        #[test]
        fn mutated_models_never_panic(path in proptest::collection::vec(0usize..64, 1..5), choice in 0u8..6, n in any::<i64>()) {
            let model = slice_model().unwrap();
            let mut v: serde_json::Value = serde_json::from_str(&model.to_canonical_json()).unwrap();
            let new = match choice {
                0 => serde_json::json!(n),
                1 => serde_json::json!(n % 300),
                2 => serde_json::json!(-1),
                3 => serde_json::json!("conv9d"),
                4 => serde_json::json!([]),
                _ => serde_json::json!(null),
            };
            mutate(&mut v, &path, new);
            if let Ok(m) = QuantModel::from_json(&v.to_string()) {
                let input = vec![1i8; m.input_len];
                let out = engine::forward(&m, &input).unwrap();
                prop_assert_eq!(out.len(), m.output_len());
            }
        }
    }
}
