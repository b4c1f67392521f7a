//! The public-input layouts the contracts rebuild, pinned in `test/fixtures/statement_layout.json`
//! (read by a Foundry test): known statements built with [`mlproof_circuits::statement`] and written
//! as JSON (every `uint256` a `0x`-prefixed 64-digit lowercase hex string, addresses lowercase).
//!
//! Regenerate after an intended layout change with
//! `MLPROOF_UPDATE_FIXTURES=1 cargo test -p mlproof-circuits --release --test statement_layout`.

use std::path::PathBuf;

use ark_bn254::Fr;
use ark_ff::{BigInteger, PrimeField};
use mlproof_circuits::{
    dataset::{DatasetTree, Sample},
    field::to_be_bytes32,
    mlp::head,
    native::{
        engine,
        packing::pack_be_words,
        slice::{sample_input, slice_model},
        trainer::{Mlp, Score, TrainConfig},
    },
    statement::{
        pack_output_be_words, DataStatement, EvalStatement, InferenceShape, Statement, TrainStatement, Visibility,
        ADDRESS_BITS, PAYEE_SHIFT,
    },
    InferenceCircuit, Salt,
};

/// Anvil's accounts #1 and #2.
const PROVER: &str = "70997970c51812dc3a010c7d01b50e0d17dc79c8";
const EVALUATOR: &str = "3c44cdddb6a900fa2b585dd299e03d12fa4293bc";

fn address(hex: &str) -> [u8; 20] {
    let bytes: Vec<u8> = (0..20).map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap()).collect();
    bytes.try_into().unwrap()
}

fn hex(bytes: &[u8]) -> String {
    let digits: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("\"0x{digits}\"")
}

fn word(f: Fr) -> String {
    hex(&to_be_bytes32(f))
}

fn uint(v: u64) -> String {
    word(Fr::from(v))
}

fn words(v: &[Fr]) -> Vec<String> {
    v.iter().map(|f| word(*f)).collect()
}

/// A JSON value written with a fixed layout (two-space indents, keys in the given order).
enum Json {
    Raw(String),
    Array(Vec<String>),
    Object(Vec<(&'static str, Json)>),
}

impl Json {
    fn write(&self, out: &mut String, indent: usize) {
        let pad = "  ".repeat(indent + 1);
        match self {
            Json::Raw(s) => out.push_str(s),
            Json::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    out.push_str(if i == 0 { "\n" } else { ",\n" });
                    out.push_str(&pad);
                    out.push_str(item);
                }
                out.push_str(&format!("\n{}]", "  ".repeat(indent)));
            }
            Json::Object(entries) => {
                out.push('{');
                for (i, (key, value)) in entries.iter().enumerate() {
                    out.push_str(if i == 0 { "\n" } else { ",\n" });
                    out.push_str(&format!("{pad}\"{key}\": "));
                    value.write(out, indent + 1);
                }
                out.push_str(&format!("\n{}}}", "  ".repeat(indent)));
            }
        }
    }
}

fn inference(st: &Statement) -> Json {
    let be = |w: &[[u8; 32]]| w.iter().map(|w| hex(w)).collect();
    Json::Object(vec![
        ("inputWords", Json::Array(be(&pack_be_words(&st.input)))),
        ("outputWords", Json::Array(be(&pack_output_be_words(&st.output)))),
        ("weightsCommitment", Json::Raw(hex(&st.weights_commitment.unwrap_or([0; 32])))),
        ("prover", Json::Raw(hex(&st.prover))),
        ("publicInputs", Json::Array(words(&st.public_inputs::<Fr>()))),
    ])
}

fn samples(n: u8, d: usize) -> Vec<Sample> {
    (0..n)
        .map(|k| Sample {
            features: (0..d).map(|i| ((i * 37 + usize::from(k) * 11) % 256) as u8 as i8).collect(),
            label: k % 3,
        })
        .collect()
}

fn layout() -> String {
    let prover = address(PROVER);

    // Inference on the slice model, public and private weights.
    let model = slice_model().unwrap();
    let input = sample_input(7, model.input_len);
    let (_, public) = InferenceCircuit::new(&model, &input, prover).unwrap();
    assert_eq!(public.output, engine::forward(&model, &input).unwrap());
    let (_, private) = InferenceCircuit::new_private(&model, &input, prover, Salt([0x5a; 31])).unwrap();
    for (st, visibility) in [(&public, Visibility::Public), (&private, Visibility::Private)] {
        let shape = InferenceShape::of(&model, visibility, false);
        assert_eq!(Statement::parse(&st.public_inputs::<Fr>(), &shape).as_ref(), Some(st));
    }

    // A training step with provenance and an evaluation of its result.
    let cfg = TrainConfig { lr_shift1: 7, lr_shift2: 7, ..TrainConfig::default() };
    let salt = Fr::from(0x5a17u64);
    let before = Mlp::seeded(8, 4, 3, 1, &cfg);
    let batch = samples(2, 8);
    let pairs: Vec<(&[i8], u8)> = batch.iter().map(|s| (s.features.as_slice(), s.label)).collect();
    let after = before.step(&pairs, &cfg).unwrap();
    let data = DataStatement {
        dataset_root: DatasetTree::<Fr>::new(samples(5, 8)).unwrap().root(),
        seed: Fr::from_be_bytes_mod_order(&[0xab; 32]),
        step: 7,
        prover,
    };
    let train = TrainStatement {
        head_before: head(&before, &cfg, salt),
        head_after: head(&after, &cfg, salt),
        data: Some(data),
    };
    assert_eq!(TrainStatement::parse(&train.public_inputs()), Some(train));
    let eval = EvalStatement {
        head: train.head_after,
        eval_root: DatasetTree::<Fr>::new(samples(64, 8)).unwrap().root(),
        score: Score { correct: 9, total: 64, loss_sum: 257_120 },
        evaluator: address(EVALUATOR),
    };
    assert_eq!(EvalStatement::parse(&eval.public_inputs()), Some(eval));

    let json = Json::Object(vec![
        ("scalarField", Json::Raw(hex(&Fr::MODULUS.to_bytes_be()))),
        ("payeeShift", Json::Raw(uint(u64::from(PAYEE_SHIFT)))),
        ("addressBits", Json::Raw(uint(u64::from(ADDRESS_BITS)))),
        ("inference", inference(&public)),
        ("inferencePrivate", inference(&private)),
        (
            "trainStep",
            Json::Object(vec![
                ("headBefore", Json::Raw(word(train.head_before))),
                ("headAfter", Json::Raw(word(train.head_after))),
                ("datasetRoot", Json::Raw(word(data.dataset_root))),
                ("seed", Json::Raw(word(data.seed))),
                ("step", Json::Raw(uint(data.step))),
                ("prover", Json::Raw(hex(&data.prover))),
                ("publicInputs", Json::Array(words(&train.public_inputs()))),
            ]),
        ),
        (
            "eval",
            Json::Object(vec![
                ("head", Json::Raw(word(eval.head))),
                ("evalRoot", Json::Raw(word(eval.eval_root))),
                ("correct", Json::Raw(uint(u64::from(eval.score.correct)))),
                ("lossSum", Json::Raw(uint(eval.score.loss_sum))),
                ("total", Json::Raw(uint(u64::from(eval.score.total)))),
                ("evaluator", Json::Raw(hex(&eval.evaluator))),
                ("publicInputs", Json::Array(words(&eval.public_inputs()))),
            ]),
        ),
    ]);
    let mut out = String::new();
    json.write(&mut out, 0);
    out.push('\n');
    out
}

#[test]
fn statement_layout_fixture_is_current() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../test/fixtures/statement_layout.json");
    let expected = layout();
    if std::env::var("MLPROOF_UPDATE_FIXTURES").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &expected).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == expected,
        "{} is not what the statement module generates; if the layout change is intended, regenerate it with\n  \
         MLPROOF_UPDATE_FIXTURES=1 cargo test -p mlproof-circuits --release --test statement_layout\n\
         generated:\n{expected}",
        path.display()
    );
}
