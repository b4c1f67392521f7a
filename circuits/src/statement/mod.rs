//! Every circuit's public statement, in one place: the public-input layout each circuit allocates,
//! built ([`Statement::public_inputs`], [`TrainStatement::public_inputs`],
//! [`EvalStatement::public_inputs`]) and parsed back (`parse`), used alike by the circuits, the
//! prover and the tests (`circuits/tests/statement_layout.rs` pins the layouts the contracts
//! rebuild in `test/fixtures/statement_layout.json`).
//!
//! * [`payee`] — how every statement binds its payee: `last word = low + address·2^88`
//!   ([`PAYEE_SHIFT`], [`ADDRESS_BITS`], [`bind_payee`], [`split_payee`], the gadget [`PayeeVar`]);
//! * [`inference`] — `[input words | input commitment, output words (payee in the last),
//!   weights commitment?]`;
//! * [`train`] — `[headBefore, headAfter]` ++ `[datasetRoot, seed, step + prover·2^88]`;
//! * [`eval`] — `[head, evalRoot, correct, lossSum, total + evaluator·2^88]`.

pub mod eval;
pub mod inference;
pub mod output;
pub mod payee;
pub mod train;

pub use eval::EvalStatement;
pub use inference::{public_input_count, public_input_count_with, InferenceShape, Statement, Visibility};
pub use output::{
    output_public_words, output_words_for, pack_output_be_words, unpack_output_be_words, PAYEE_WORD_VALUES,
};
pub use payee::{address_to_field, bind_payee, split_payee, ADDRESS_BITS, PAYEE_SHIFT};
pub use train::{DataStatement, TrainStatement, STEP_BITS};
