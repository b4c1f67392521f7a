//! The training-step statement: `[headBefore, headAfter]`, and with data provenance
//! `[datasetRoot, seed, step + prover·2^88]` after them ([`crate::train`]).

use ark_ff::PrimeField;

use crate::{
    field::to_u64,
    statement::payee::{bind_payee, split_payee},
};

/// Index of `headBefore` in the public inputs.
pub const HEAD_BEFORE: usize = 0;
/// Index of `headAfter`.
pub const HEAD_AFTER: usize = 1;
/// Index of `datasetRoot` (with provenance).
pub const DATASET_ROOT: usize = 2;
/// Index of the seed (with provenance).
pub const SEED: usize = 3;
/// Index of the word `step + prover·2^88` (with provenance).
pub const STEP_AND_PROVER: usize = 4;
/// Number of public inputs without provenance.
pub const INPUTS: usize = 2;
/// Number of public inputs with provenance.
pub const INPUTS_WITH_DATA: usize = 5;

/// Bits of the step number in the last public word.
pub const STEP_BITS: u32 = 64;

/// The data-provenance part of a statement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DataStatement<F> {
    /// Root of the training set's tree.
    pub dataset_root: F,
    /// The on-chain seed (a block hash reduced mod r).
    pub seed: F,
    /// The step number the batch indices are derived for.
    pub step: u64,
    /// The prover (payee).
    pub prover: [u8; 20],
}

impl<F: PrimeField> DataStatement<F> {
    /// The last public word: `step + prover·2^88`.
    #[must_use]
    pub fn step_and_payee(&self) -> F {
        bind_payee(F::from(self.step), &self.prover)
    }
}

/// The public statement of one training proof (one or more steps).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrainStatement<F> {
    /// Commitment to the weights before the step.
    pub head_before: F,
    /// Commitment to the weights after the step.
    pub head_after: F,
    /// With provenance: the data set root, seed, step and payee.
    pub data: Option<DataStatement<F>>,
}

impl<F: PrimeField> TrainStatement<F> {
    /// Public inputs in circuit order.
    #[must_use]
    pub fn public_inputs(&self) -> Vec<F> {
        let mut v = vec![self.head_before, self.head_after];
        if let Some(d) = &self.data {
            v.extend([d.dataset_root, d.seed, d.step_and_payee()]);
        }
        v
    }

    /// Parses [`INPUTS`] or [`INPUTS_WITH_DATA`] public inputs (the inverse of
    /// [`TrainStatement::public_inputs`]); `None` for another length or a last word whose low part
    /// is not a 64-bit step.
    #[must_use]
    pub fn parse(inputs: &[F]) -> Option<Self> {
        let data = match inputs.len() {
            INPUTS => None,
            INPUTS_WITH_DATA => {
                let (low, prover) = split_payee(inputs[STEP_AND_PROVER])?;
                Some(DataStatement {
                    dataset_root: inputs[DATASET_ROOT],
                    seed: inputs[SEED],
                    step: to_u64(low)?,
                    prover,
                })
            }
            _ => return None,
        };
        Some(Self { head_before: inputs[HEAD_BEFORE], head_after: inputs[HEAD_AFTER], data })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_bn254::Fr;

    #[test]
    fn parse_inverts_public_inputs() {
        let data =
            DataStatement { dataset_root: Fr::from(3u64), seed: Fr::from(4u64), step: u64::MAX, prover: [0x70; 20] };
        for st in [
            TrainStatement { head_before: Fr::from(1u64), head_after: Fr::from(2u64), data: None },
            TrainStatement { head_before: Fr::from(1u64), head_after: Fr::from(2u64), data: Some(data) },
        ] {
            assert_eq!(TrainStatement::parse(&st.public_inputs()), Some(st));
        }
        assert!(TrainStatement::<Fr>::parse(&[Fr::from(1u64); 3]).is_none());
    }
}
