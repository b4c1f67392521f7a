//! Committed inputs: the input stays private, bound to a salted Poseidon commitment that replaces
//! the input words among the public inputs.

use ark_bn254::Fr;
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystem};
use mlproof_circuits::{
    native::engine,
    native::poseidon::commit_native,
    native::slice::{sample_input, slice_model},
    statement::public_input_count_with,
    InferenceCircuit, QuantModel, Salt, Statement, Visibility,
};

const PROVER: [u8; 20] = [0x55; 20];
const SALT: Salt = Salt([0x5a; 31]);

fn check(model: &QuantModel, st: Statement, salt: Salt, private_weights: bool) -> bool {
    let cs = ConstraintSystem::<Fr>::new_ref();
    let c = if private_weights {
        InferenceCircuit::with_private_statement(model, st, Salt([1; 31]))
    } else {
        InferenceCircuit::with_statement(model, st)
    };
    c.with_input_salt(salt).generate_constraints(cs.clone()).unwrap();
    let vis = if private_weights { Visibility::Private } else { Visibility::Public };
    assert_eq!(cs.num_instance_variables(), 1 + public_input_count_with(model, vis, true));
    cs.is_satisfied().unwrap()
}

fn committed_statement(model: &QuantModel, input: &[i8], salt: Salt, private_weights: bool) -> Statement {
    let (c, _) = if private_weights {
        InferenceCircuit::new_private(model, input, PROVER, Salt([1; 31])).unwrap()
    } else {
        InferenceCircuit::new(model, input, PROVER).unwrap()
    };
    c.with_committed_input(Some(salt)).1.unwrap()
}

#[test]
fn committed_input_satisfies_and_hides_the_words() {
    let model = slice_model().unwrap();
    for private_weights in [false, true] {
        let input = sample_input(6, 64);
        let st = committed_statement(&model, &input, SALT, private_weights);
        assert_eq!(st.output, engine::forward(&model, &input).unwrap());
        let c = st.input_commitment.unwrap();
        assert_eq!(Fr::from_be_bytes_mod_order(&c), commit_native::<Fr>(&input, SALT.to_field()));
        // The first public input is the commitment, not a packed input word.
        assert_eq!(st.public_inputs::<Fr>()[0], Fr::from_be_bytes_mod_order(&c));
        assert!(check(&model, st, SALT, private_weights));
    }
}

#[test]
fn commitment_must_open_to_the_proven_input() {
    let model = slice_model().unwrap();
    let (a, b) = (sample_input(1, 64), sample_input(2, 64));
    let st_a = committed_statement(&model, &a, SALT, false);
    // Wrong salt.
    assert!(!check(&model, st_a.clone(), Salt([0; 31]), false));
    // The commitment of `a` with the input and output of `b`.
    let st_b = committed_statement(&model, &b, SALT, false);
    let swapped = Statement { input: b.clone(), output: st_b.output.clone(), ..st_a.clone() };
    assert!(!check(&model, swapped, SALT, false));
    // A wrong output for the committed input.
    let mut wrong = st_a;
    wrong.output[0] = wrong.output[0].wrapping_add(1);
    assert!(!check(&model, wrong, SALT, false));
}

use ark_ff::PrimeField;
