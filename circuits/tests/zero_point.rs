//! Zero points: `acc = b + Σ w·(x − zp_in)`, `y = clamp(q + zp_out, ReLU ? zp_out : −128, 127)`.
//! The circuit agrees with the native engine for public and private weights, dense and conv.

use ark_bn254::Fr;
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystem};
use mlproof_circuits::{
    native::engine,
    native::model::{Activation, Conv2dLayer, Layer, PoolLayer, QuantModel, MODEL_FORMAT, MODEL_FORMAT_VERSION},
    native::slice::{random_mlp, sample_input},
    InferenceCircuit, ModelError, Salt, Statement,
};

const PROVER: [u8; 20] = [0x66; 20];

fn with_zero_points() -> Vec<QuantModel> {
    let mut mlp = random_mlp("zp-mlp", 5, 64, &[16, 12, 10]).unwrap();
    mlp.input_zero_point = -20;
    for (i, zp) in [(0usize, -128), (1, 37)] {
        let Layer::Dense(d) = &mut mlp.layers[i] else { unreachable!() };
        d.requant.zero_point = zp;
    }
    let Layer::Dense(d) = &mut mlp.layers[2] else { unreachable!() };
    d.requant.zero_point = 5;
    mlp.validate().unwrap();

    let conv = Conv2dLayer {
        in_channels: 1,
        out_channels: 2,
        kernel: [3, 3],
        stride: [1, 1],
        padding: [1, 1],
        weights: (0..18).map(|i| (i * 13 % 41) - 20).collect(),
        bias: vec![30, -40],
        requant: mlproof_circuits::native::model::Requant { multiplier: 3000, shift: 16, zero_point: -100 },
        activation: Activation::Relu,
    };
    let cnn = QuantModel {
        format: MODEL_FORMAT.to_owned(),
        version: MODEL_FORMAT_VERSION,
        name: "zp-cnn".to_owned(),
        input_len: 64,
        input_shape: vec![1, 8, 8],
        input_zero_point: 60,
        layers: vec![
            Layer::Conv2d(conv),
            Layer::AvgPool(PoolLayer { kernel: [2, 2], stride: [2, 2] }),
            Layer::Flatten,
            Layer::Argmax,
        ],
    };
    cnn.validate().unwrap();
    vec![mlp, cnn]
}

fn satisfied(model: &QuantModel, st: Statement, private: bool) -> bool {
    let cs = ConstraintSystem::<Fr>::new_ref();
    let c = if private {
        InferenceCircuit::with_private_statement(model, st, Salt([2; 31]))
    } else {
        InferenceCircuit::with_statement(model, st)
    };
    c.generate_constraints(cs.clone()).unwrap();
    cs.is_satisfied().unwrap()
}

#[test]
fn relu_clamps_at_the_zero_point() {
    let m = &with_zero_points()[0];
    let mut lows = 0;
    for seed in 0..20 {
        let x = sample_input(seed, 64);
        // The first hidden layer's outputs never go below its zero point (−128 here, the real 0).
        let Layer::Dense(d) = &m.layers[0] else { unreachable!() };
        let h = engine::dense_forward(d, &x, m.input_zero_point);
        assert!(h.iter().all(|&v| v >= -128));
        lows += h.iter().filter(|&&v| v == -128).count();
    }
    assert!(lows > 0, "some ReLU outputs clamp to the zero point");
}

#[test]
fn circuit_agrees_with_native_engine_with_zero_points() {
    for m in with_zero_points() {
        for private in [false, true] {
            for seed in 0..4 {
                let input = sample_input(seed, 64);
                let (_, st) = if private {
                    InferenceCircuit::new_private(&m, &input, PROVER, Salt([2; 31])).unwrap()
                } else {
                    InferenceCircuit::new(&m, &input, PROVER).unwrap()
                };
                assert_eq!(st.output, engine::forward(&m, &input).unwrap());
                assert!(satisfied(&m, st.clone(), private), "{} private={private} seed {seed}", m.name);
                let mut bad = st;
                bad.output[0] = bad.output[0].wrapping_add(1);
                assert!(
                    !satisfied(&m, bad, private),
                    "{} private={private} seed {seed}: wrong output accepted",
                    m.name
                );
            }
        }
    }
}

#[test]
fn out_of_range_zero_points_are_named() {
    let mut m = with_zero_points().remove(0);
    let Layer::Dense(d) = &mut m.layers[1] else { unreachable!() };
    d.requant.zero_point = 200;
    assert!(
        matches!(m.validate(), Err(ModelError::InvalidRequant { layer: 1, ref reason }) if reason.contains("zero point"))
    );
    let mut m = with_zero_points().remove(0);
    m.input_zero_point = -129;
    assert!(m.validate().is_err());
    // Models without zero points serialize exactly as before (no zero_point keys).
    let plain = random_mlp("plain", 1, 8, &[4]).unwrap();
    assert!(!plain.to_canonical_json().contains("zero_point"));
}
