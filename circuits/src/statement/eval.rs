//! The evaluation statement: `[head, evalRoot, correct, lossSum, total + evaluator·2^88]`
//! ([`crate::eval`]; the layout `TrainingLedger.submitEval` rebuilds).

use ark_ff::PrimeField;

use crate::{
    field::to_u64,
    native::trainer::Score,
    statement::payee::{bind_payee, split_payee},
};

/// Index of the evaluated head in the public inputs.
pub const HEAD: usize = 0;
/// Index of the evaluation set's root.
pub const EVAL_ROOT: usize = 1;
/// Index of the number of correct predictions.
pub const CORRECT: usize = 2;
/// Index of the summed squared error.
pub const LOSS_SUM: usize = 3;
/// Index of the word `total + evaluator·2^88`.
pub const TOTAL_AND_EVALUATOR: usize = 4;
/// Number of public inputs.
pub const INPUTS: usize = 5;

/// The public statement of one evaluation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EvalStatement<F> {
    /// The evaluated head.
    pub head: F,
    /// Root of the evaluation set's tree.
    pub eval_root: F,
    /// The proven score.
    pub score: Score,
    /// The evaluator (payee slot).
    pub evaluator: [u8; 20],
}

impl<F: PrimeField> EvalStatement<F> {
    /// Public inputs in circuit order (the layout `TrainingLedger.submitEval` rebuilds).
    #[must_use]
    pub fn public_inputs(&self) -> Vec<F> {
        vec![
            self.head,
            self.eval_root,
            F::from(self.score.correct),
            F::from(self.score.loss_sum),
            bind_payee(F::from(self.score.total), &self.evaluator),
        ]
    }

    /// Parses [`INPUTS`] public inputs (the inverse of [`EvalStatement::public_inputs`]); `None`
    /// for another length or counts out of their ranges (`correct` and `total` 32 bits, `lossSum`
    /// 64 bits).
    #[must_use]
    pub fn parse(inputs: &[F]) -> Option<Self> {
        if inputs.len() != INPUTS {
            return None;
        }
        let (total, evaluator) = split_payee(inputs[TOTAL_AND_EVALUATOR])?;
        let score = Score {
            correct: u32::try_from(to_u64(inputs[CORRECT])?).ok()?,
            total: u32::try_from(to_u64(total)?).ok()?,
            loss_sum: to_u64(inputs[LOSS_SUM])?,
        };
        Some(Self { head: inputs[HEAD], eval_root: inputs[EVAL_ROOT], score, evaluator })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_bn254::Fr;

    #[test]
    fn parse_inverts_public_inputs() {
        let score = Score { correct: 9, total: 64, loss_sum: 257_120 };
        let st = EvalStatement { head: Fr::from(5u64), eval_root: Fr::from(6u64), score, evaluator: [0xab; 20] };
        assert_eq!(EvalStatement::parse(&st.public_inputs()), Some(st));
        assert!(EvalStatement::<Fr>::parse(&st.public_inputs()[..4]).is_none());
    }
}
