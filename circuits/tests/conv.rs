//! Convolution, pooling, flatten and argmax: the circuit agrees with the native engine (public and
//! private weights), false outputs are rejected, and malformed layers are named.

use ark_bn254::Fr;
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystem};
use mlproof_circuits::{
    native::engine,
    native::model::{
        Activation, Conv2dLayer, DenseLayer, Layer, PoolLayer, QuantModel, Requant, MODEL_FORMAT, MODEL_FORMAT_VERSION,
    },
    native::slice::sample_input,
    InferenceCircuit, ModelError, Salt, Statement,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;

const PROVER: [u8; 20] = [0x44; 20];

fn cnn(argmax: bool) -> QuantModel {
    let mut rng = ChaCha20Rng::seed_from_u64(21);
    let mut w = |n: usize| -> Vec<i64> { (0..n).map(|_| rng.gen_range(-60i64..=60)).collect() };
    let conv1 = Conv2dLayer {
        in_channels: 1,
        out_channels: 3,
        kernel: [3, 3],
        stride: [1, 1],
        padding: [1, 1],
        weights: w(27),
        bias: vec![40, -30, 5],
        requant: Requant { multiplier: 1200, shift: 16, zero_point: 0 },
        activation: Activation::Relu,
    };
    let conv2 = Conv2dLayer {
        in_channels: 3,
        out_channels: 2,
        kernel: [2, 2],
        stride: [2, 1],
        padding: [0, 1],
        weights: w(24),
        bias: vec![-100, 200],
        requant: Requant { multiplier: 900, shift: 15, zero_point: 0 },
        activation: Activation::None,
    };
    let dense = DenseLayer {
        in_features: 2 * 2 * 4,
        out_features: 10,
        weights: w(160),
        bias: w(10),
        requant: Requant { multiplier: 700, shift: 14, zero_point: 0 },
        activation: Activation::None,
    };
    let mut layers = vec![
        Layer::Conv2d(conv1),
        Layer::MaxPool(PoolLayer { kernel: [2, 2], stride: [2, 2] }),
        Layer::Conv2d(conv2),
        Layer::AvgPool(PoolLayer { kernel: [1, 2], stride: [1, 1] }),
        Layer::Flatten,
        Layer::Dense(dense),
    ];
    if argmax {
        layers.push(Layer::Argmax);
    }
    let m = QuantModel {
        format: MODEL_FORMAT.to_owned(),
        version: MODEL_FORMAT_VERSION,
        name: "toy-cnn".to_owned(),
        input_len: 64,
        input_shape: vec![1, 8, 8],
        input_zero_point: 0,
        layers,
    };
    m.validate().unwrap();
    m
}

fn satisfied(model: &QuantModel, st: Statement, salt: Option<Salt>) -> bool {
    let cs = ConstraintSystem::<Fr>::new_ref();
    let c = match salt {
        Some(s) => InferenceCircuit::with_private_statement(model, st, s),
        None => InferenceCircuit::with_statement(model, st),
    };
    c.generate_constraints(cs.clone()).unwrap();
    cs.is_satisfied().unwrap()
}

#[test]
fn shapes_and_macs() {
    let m = cnn(true);
    let shapes = m.shapes().unwrap();
    assert_eq!(
        shapes,
        vec![vec![1, 8, 8], vec![3, 8, 8], vec![3, 4, 4], vec![2, 2, 5], vec![2, 2, 4], vec![16], vec![10], vec![1]]
    );
    assert_eq!(m.output_len(), 1);
    assert_eq!(m.macs(), 3 * 64 * 9 + 20 * 12 + 160);
}

#[test]
fn circuit_agrees_with_native_engine_public_and_private() {
    for with_argmax in [false, true] {
        let m = cnn(with_argmax);
        for seed in 0..5 {
            let input = sample_input(seed, 64);
            let (_, st) = InferenceCircuit::new(&m, &input, PROVER).unwrap();
            assert_eq!(st.output, engine::forward(&m, &input).unwrap());
            assert!(satisfied(&m, st, None), "public, seed {seed}");
            let (_, st) = InferenceCircuit::new_private(&m, &input, PROVER, Salt([3; 31])).unwrap();
            assert!(satisfied(&m, st, Some(Salt([3; 31]))), "private, seed {seed}");
        }
    }
}

#[test]
fn false_outputs_are_rejected() {
    let input = sample_input(9, 64);
    let m = cnn(true);
    let (_, st) = InferenceCircuit::new(&m, &input, PROVER).unwrap();
    for class in 0..10i8 {
        if class != st.output[0] {
            let bad = Statement { output: vec![class], ..st.clone() };
            assert!(!satisfied(&m, bad, None), "class {class} accepted");
        }
    }
    let m = cnn(false);
    let (_, st) = InferenceCircuit::new_private(&m, &input, PROVER, Salt([3; 31])).unwrap();
    let mut bad = st.clone();
    bad.output[4] = bad.output[4].wrapping_sub(1);
    assert!(!satisfied(&m, bad, Some(Salt([3; 31]))));
}

#[test]
fn malformed_conv_layers_are_named() {
    let mut m = cnn(false);
    let Layer::Conv2d(c) = &mut m.layers[2] else { unreachable!() };
    c.in_channels = 4;
    assert!(matches!(m.validate(), Err(ModelError::Shape { layer: 2, what: "in_channels", .. })));

    let mut m = cnn(false);
    let Layer::Conv2d(c) = &mut m.layers[0] else { unreachable!() };
    c.weights[4] = 200;
    assert_eq!(m.validate(), Err(ModelError::WeightOutOfRange { layer: 0, index: 4, value: 200 }));

    let mut m = cnn(false);
    m.input_shape = vec![64];
    assert!(matches!(m.validate(), Err(ModelError::Shape { layer: 0, .. })));

    let mut m = cnn(false);
    m.layers.insert(1, Layer::MaxPool(PoolLayer { kernel: [9, 9], stride: [1, 1] }));
    assert!(matches!(m.validate(), Err(ModelError::Shape { layer: 1, .. })));

    let json = serde_json::to_string(&cnn(true)).unwrap();
    assert_eq!(QuantModel::from_json(&json).unwrap(), cnn(true));
}
