//! The committed digits model: reproducible from its ONNX file, accurate after quantization, and
//! proven by a circuit that agrees with the native engine on every held-out sample.

use std::path::PathBuf;

use ark_bn254::Fr;
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystem};
use mlproof_circuits::{native::engine, InferenceCircuit, QuantModel};
use mlproof_import::{dataset::Digits, digits_model::import_digits, onnx, ImportError};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn committed(name: &str) -> QuantModel {
    QuantModel::from_json(&std::fs::read_to_string(root().join(format!("models/{name}.json"))).unwrap()).unwrap()
}

const MODELS: [(&str, &str); 2] = [("digits-mlp", "digits_mlp"), ("digits-cnn", "digits_cnn")];

#[test]
fn dataset_and_split_are_the_fixed_ones() {
    let d = Digits::load(&root()).unwrap();
    assert_eq!(d.images.len(), 1797);
    assert_eq!((d.train.len(), d.test.len()), (1257, 540));
    let mut all: Vec<usize> = d.train.iter().chain(&d.test).copied().collect();
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), 1797, "train and test are disjoint and cover the set");
    assert!(d.quantized_input(0).iter().all(|&v| (0..=127).contains(&v)));
}

#[test]
fn committed_models_are_reproducible_and_within_one_point_of_float() {
    let recorded: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("models/digits/float_accuracy.json")).unwrap())
            .unwrap();
    for (name, key) in MODELS {
        let (model, acc) = import_digits(&root().join(format!("models/{name}.onnx")), &root(), Some(name)).unwrap();
        assert_eq!(model, committed(name), "models/{name}.json is `mlproof model import` of models/{name}.onnx");
        // f32 inference in Rust vs f64 in numpy: allow one image of difference.
        assert!((acc.float_accuracy - recorded[key].as_f64().unwrap()).abs() <= 1.0 / 540.0 + 1e-9, "{name}: {acc:?}");
        assert!(acc.quantized_accuracy >= acc.float_accuracy - 0.01, "{name}: {acc:?}");
        assert!(acc.float_accuracy > 0.95, "{name}: {acc:?}");
    }
}

#[test]
fn mlp_circuit_agrees_with_native_engine_on_every_held_out_sample() {
    all_samples_agree("digits-mlp");
}

#[test]
fn cnn_circuit_agrees_with_native_engine_on_every_held_out_sample() {
    all_samples_agree("digits-cnn");
}

fn all_samples_agree(name: &str) {
    // 540 small circuits: with arkworks' `parallel` feature (enabled workspace-wide for proving),
    // every synthesis step dispatches to rayon, and for circuits this small the dispatch dominates
    // (futex / sched_yield). One worker thread keeps the same computation fast.
    rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap().install(|| all_samples_agree_in_pool(name));
}

fn all_samples_agree_in_pool(name: &str) {
    let model = committed(name);
    let data = Digits::load(&root()).unwrap();
    for &i in &data.test {
        let input = data.quantized_input(i);
        let (circuit, statement) = InferenceCircuit::new(&model, &input, [0x42; 20]).unwrap();
        assert_eq!(statement.output, engine::forward(&model, &input).unwrap());
        let cs = ConstraintSystem::<Fr>::new_ref();
        circuit.generate_constraints(cs.clone()).unwrap();
        assert!(cs.is_satisfied().unwrap(), "sample {i}");
    }
}

mod bad_onnx {
    use super::*;
    use mlproof_import::onnx::proto::{
        GraphProto, ModelProto, NodeProto, TensorProto, ValueInfoProto, DATA_TYPE_FLOAT,
    };
    use prost::Message;

    fn model_with(nodes: Vec<NodeProto>) -> Vec<u8> {
        let w = TensorProto {
            dims: vec![2, 3],
            data_type: DATA_TYPE_FLOAT,
            float_data: vec![0.5; 6],
            name: "w".into(),
            ..Default::default()
        };
        let vi = |n: &str| ValueInfoProto { name: n.into(), ..Default::default() };
        ModelProto {
            ir_version: 8,
            graph: Some(GraphProto {
                node: nodes,
                name: "g".into(),
                initializer: vec![w],
                input: vec![vi("x")],
                output: vec![vi("y")],
            }),
            ..Default::default()
        }
        .encode_to_vec()
    }

    fn node(op: &str, inputs: &[&str], out: &str) -> NodeProto {
        NodeProto {
            input: inputs.iter().map(|s| (*s).to_owned()).collect(),
            output: vec![out.into()],
            name: format!("{op}_0"),
            op_type: op.into(),
            ..Default::default()
        }
    }

    #[test]
    fn matmul_chain_imports() {
        let f =
            onnx::from_bytes(&model_with(vec![node("MatMul", &["x", "w"], "h"), node("Relu", &["h"], "y")])).unwrap();
        assert_eq!(f.input_len, 2);
        assert_eq!(f.forward(&[1.0, 1.0]), vec![1.0; 3]);
    }

    #[test]
    fn unsupported_operator_is_named() {
        let bytes = model_with(vec![node("MatMul", &["x", "w"], "h"), node("Softmax", &["h"], "y")]);
        match onnx::from_bytes(&bytes) {
            Err(e @ ImportError::UnsupportedOp { .. }) => {
                assert!(e.to_string().contains("\"Softmax\"") && e.to_string().contains("Softmax_0"))
            }
            other => panic!("expected UnsupportedOp, got {other:?}"),
        }
    }

    #[test]
    fn unsupported_conv_options_are_named() {
        use mlproof_import::onnx::proto::AttributeProto;
        let w4 = TensorProto {
            dims: vec![2, 1, 3, 3],
            data_type: DATA_TYPE_FLOAT,
            float_data: vec![0.1; 18],
            name: "k".into(),
            ..Default::default()
        };
        let mut m = ModelProto::decode(model_with(vec![]).as_slice()).unwrap();
        let g = m.graph.as_mut().unwrap();
        g.initializer.push(w4);
        let mut conv = node("Conv", &["x", "k"], "y");
        conv.attribute.push(AttributeProto { name: "group".into(), i: 2, ..Default::default() });
        g.node = vec![conv];
        let e = onnx::from_bytes(&m.encode_to_vec()).unwrap_err();
        assert!(e.to_string().contains("grouped convolutions"), "{e}");
        // Without a declared [C, H, W] input shape a Conv cannot be placed.
        g_node_without_group(&mut m);
        let e = onnx::from_bytes(&m.encode_to_vec()).unwrap_err();
        assert!(e.to_string().contains("known [C, H, W] input"), "{e}");
    }

    fn g_node_without_group(m: &mut ModelProto) {
        m.graph.as_mut().unwrap().node[0].attribute.clear();
    }

    #[test]
    fn garbage_and_broken_graphs_fail_clearly() {
        assert!(matches!(onnx::from_bytes(&[0xff, 0xff, 0xff]), Err(ImportError::Protobuf(_))));
        let e = onnx::from_bytes(&model_with(vec![node("Relu", &["x"], "y")])).unwrap_err();
        assert!(e.to_string().contains("Relu must follow a dense or convolution layer"), "{e}");
        let e = onnx::from_bytes(&model_with(vec![node("MatMul", &["x", "w"], "z")])).unwrap_err();
        assert!(e.to_string().contains("not the end of the layer chain"), "{e}");
    }
}

#[test]
fn asymmetric_quantization_keeps_accuracy_and_circuit_agreement() {
    use mlproof_import::{digits_model::import_digits_with, quantize::QuantizeConfig};
    let cfg = QuantizeConfig { asymmetric_relu: true, ..QuantizeConfig::default() };
    let data = Digits::load(&root()).unwrap();
    for (name, _) in MODELS {
        let (model, acc) =
            import_digits_with(&root().join(format!("models/{name}.onnx")), &root(), Some(name), cfg, None).unwrap();
        assert!(model.to_canonical_json().contains("\"zero_point\":-128"), "{name}: ReLU outputs use zero point -128");
        assert!(acc.quantized_accuracy >= acc.float_accuracy - 0.01, "{name}: {acc:?}");
        rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap().install(|| {
            for &i in data.test.iter().step_by(27) {
                let (circuit, st) = InferenceCircuit::new(&model, &data.quantized_input(i), [0x42; 20]).unwrap();
                assert_eq!(st.output, engine::forward(&model, &data.quantized_input(i)).unwrap());
                let cs = ConstraintSystem::<Fr>::new_ref();
                circuit.generate_constraints(cs.clone()).unwrap();
                assert!(cs.is_satisfied().unwrap(), "{name} sample {i}");
            }
        });
    }
}
