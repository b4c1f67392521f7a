// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IGroth16Verifier} from "../interfaces/IGroth16Verifier.sol";

/// @title Statement
/// @notice The one owner, outside the generated verifiers, of the public statements mlproof proves: the BN254
///         scalar field, the payee word, and the public-input vectors of an inference, a training step and an
///         evaluation. Mirrors the Rust module `circuits/src/statement/`; `test/StatementLayout.t.sol` checks the
///         two agree on the vectors the Rust side writes to `test/fixtures/statement_layout.json`.
/// @dev The payee (prover or evaluator address) is not a public input of its own: it is OR-ed into the last word
///      of every statement at bit `PAYEE_SHIFT`, below which the word keeps at most 88 payload bits. A bound word
///      is below 2^(88 + 160) = 2^248 < r, so binding never leaves the field. A contract that binds a word the
///      caller chose must first check `hasPayeeRoom` (else a copier could pre-fill the payee bits so that its
///      own address completes someone else's statement).
///
///      Layouts (every word < r; the verifier refuses any word >= r):
///      - inference: `input ++ output ++ [weightsCommitment]`, `input.length + output.length (+ 1)` words. The
///        payee is bound into the last output word; the weights commitment is present only for a private-weight
///        model (the registry guarantees `privateWeights <=> weightsCommitment != 0`).
///      - training step: `[headBefore, headAfter, datasetRoot, seed, bindPayee(step, prover)]` (5 words; a
///        training model registers as `STEP_INPUT_WORDS` inputs and `STEP_OUTPUT_WORDS` output).
///      - evaluation: `[head, evalRoot, correct, lossSum, bindPayee(total, evaluator)]` (5 words).
library Statement {
    /// @notice The BN254 scalar field order r: every public input is a field element, i.e. < r.
    uint256 internal constant SCALAR_FIELD =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;
    /// @notice Bit offset of the payee address in the last public input.
    uint256 internal constant PAYEE_SHIFT = 88;
    /// @notice Width of the payee address, in bits.
    uint256 internal constant ADDRESS_BITS = 160;
    /// @notice Registry input words of a training model: headBefore, headAfter, datasetRoot, seed.
    uint32 internal constant STEP_INPUT_WORDS = 4;
    /// @notice Registry output words of a training model: the step number with the payee bound.
    uint32 internal constant STEP_OUTPUT_WORDS = 1;
    /// @notice Public inputs of a training step proof.
    uint256 internal constant STEP_WORDS = 5;
    /// @notice Public inputs of an evaluation proof.
    uint256 internal constant EVAL_WORDS = 5;

    /// @notice True iff `value` is a canonical BN254 scalar field element (`value < r`).
    function isField(uint256 value) internal pure returns (bool) {
        return value < SCALAR_FIELD;
    }

    /// @notice True iff the payee bits of `word` (bit `PAYEE_SHIFT` and up) are all clear, so that binding a
    ///         payee cannot be influenced by what the word already holds.
    function hasPayeeRoom(uint256 word) internal pure returns (bool) {
        return word >> PAYEE_SHIFT == 0;
    }

    /// @notice `word` with `payee` OR-ed in at bit `PAYEE_SHIFT`: `word | (uint160(payee) << 88)`.
    /// @dev The result is < r whenever `hasPayeeRoom(word)` (it is then < 2^248).
    function bindPayee(uint256 word, address payee) internal pure returns (uint256) {
        return word | (uint256(uint160(payee)) << PAYEE_SHIFT);
    }

    /// @notice The payee bound into `word` (its bits `PAYEE_SHIFT` to `PAYEE_SHIFT + ADDRESS_BITS - 1`).
    function payeeOf(uint256 word) internal pure returns (address) {
        // Truncating to 160 bits is the decoding: it drops the bits above the address (zero in a bound word < r).
        // forge-lint: disable-next-line(unsafe-typecast)
        return address(uint160(word >> PAYEE_SHIFT));
    }

    /// @notice Number of public inputs of an inference statement with the given registry layout.
    function inferenceWords(uint256 inputWords, uint256 outputWords, bool privateWeights)
        internal
        pure
        returns (uint256)
    {
        return inputWords + outputWords + (privateWeights ? 1 : 0);
    }

    /// @notice The public inputs of an inference: `input ++ output ++ [weightsCommitment]`, with `payee` bound into
    ///         the last output word and the weights commitment present only if `privateWeights`.
    /// @dev Reference builder in memory (tests, tools). The market builds the same vector in place from calldata
    ///      with `verifyInference`; `test/StatementLayout.t.sol` checks both against the Rust fixture. Reverts
    ///      with a Panic (out of bounds) if `output` is empty.
    /// @param input Input words.
    /// @param output Output words, the last with its payee bits clear (as a prover passes them).
    /// @param privateWeights Whether the model's weights are private (committed).
    /// @param weightsCommitment The weights commitment (used only if `privateWeights`).
    /// @param payee The address the proof pays.
    function inference(
        uint256[] memory input,
        uint256[] memory output,
        bool privateWeights,
        uint256 weightsCommitment,
        address payee
    ) internal pure returns (uint256[] memory inputs) {
        uint256 n = input.length;
        uint256 m = output.length;
        inputs = new uint256[](inferenceWords(n, m, privateWeights));
        for (uint256 i; i < n; ++i) {
            inputs[i] = input[i];
        }
        for (uint256 i; i < m; ++i) {
            inputs[n + i] = output[i];
        }
        inputs[n + m - 1] = bindPayee(inputs[n + m - 1], payee);
        if (privateWeights) inputs[n + m] = weightsCommitment;
    }

    /// @notice Calls `verifier.verifyProof(proof, inputs)` with `inputs` the inference statement of
    ///         `inference(input, output, privateWeights, weightsCommitment, payee)`.
    /// @dev The call data is assembled in place from calldata, without an intermediate array (the market's hot
    ///      path). The caller must have checked `output.length != 0` and `hasPayeeRoom(output[last])`. A verifier
    ///      revert (e.g. an input or coordinate outside its field) is bubbled up unchanged; a verifier that
    ///      returns anything but exactly the ABI word 1 counts as a rejection.
    /// @return valid True iff the verifier accepted the proof.
    function verifyInference(
        address verifier,
        uint256[8] calldata proof,
        uint256[] calldata input,
        uint256[] calldata output,
        bool privateWeights,
        uint256 weightsCommitment,
        address payee
    ) internal view returns (bool valid) {
        bytes4 selector = IGroth16Verifier.verifyProof.selector;
        uint256 payeeBits = bindPayee(0, payee);
        // Memory-safe: writes only at and past the free memory pointer, as scratch for the call (never read again,
        // the pointer is not moved), and the return word in scratch space 0x00. Lengths come from calldata arrays
        // the ABI decoder bounded by the calldata size, so the multiplications and additions cannot overflow.
        assembly ("memory-safe") {
            // Copied first: `verifier` is the deepest parameter, out of reach by the time of the call.
            let target := verifier
            let ptr := mload(0x40)
            // verifyProof(uint256[8] proof, uint256[] inputs): selector, 8 proof words, offset 0x120, length, words.
            mstore(ptr, selector)
            calldatacopy(add(ptr, 0x04), proof, 0x100)
            mstore(add(ptr, 0x104), 0x120)
            // `end` walks past the words written so far: the input, the output, then the weights commitment (one
            // pointer instead of several locals keeps this within the stack).
            let end := add(ptr, 0x144)
            calldatacopy(end, input.offset, mul(input.length, 0x20))
            end := add(end, mul(input.length, 0x20))
            calldatacopy(end, output.offset, mul(output.length, 0x20))
            end := add(end, mul(output.length, 0x20))
            // The payee goes into the last output word (the caller checked output.length != 0).
            mstore(sub(end, 0x20), or(mload(sub(end, 0x20)), payeeBits))
            if privateWeights {
                mstore(end, weightsCommitment)
                end := add(end, 0x20)
            }
            mstore(add(ptr, 0x124), shr(5, sub(end, add(ptr, 0x144))))
            if iszero(staticcall(gas(), target, ptr, sub(end, ptr), 0x00, 0x20)) {
                returndatacopy(ptr, 0, returndatasize())
                revert(ptr, returndatasize())
            }
            valid := and(eq(returndatasize(), 0x20), eq(mload(0x00), 1))
        }
    }

    /// @notice The public inputs of a training step proof:
    ///         `[headBefore, headAfter, datasetRoot, seed, bindPayee(step, prover)]`.
    /// @param headBefore Weights commitment the step starts from.
    /// @param headAfter Weights commitment the step ends at.
    /// @param datasetRoot Merkle root of the training set.
    /// @param seed Batch seed (a block hash mod r).
    /// @param step Number of the first SGD step the proof covers.
    /// @param prover The address the proof pays.
    function trainStep(
        uint256 headBefore,
        uint256 headAfter,
        uint256 datasetRoot,
        uint256 seed,
        uint64 step,
        address prover
    ) internal pure returns (uint256[] memory inputs) {
        inputs = new uint256[](STEP_WORDS);
        inputs[0] = headBefore;
        inputs[1] = headAfter;
        inputs[2] = datasetRoot;
        inputs[3] = seed;
        inputs[4] = bindPayee(step, prover);
    }

    /// @notice The public inputs of an evaluation proof:
    ///         `[head, evalRoot, correct, lossSum, bindPayee(total, evaluator)]`.
    /// @param head Weights commitment evaluated.
    /// @param evalRoot Merkle root of the held-out evaluation set.
    /// @param correct Right answers.
    /// @param lossSum Summed loss over the evaluation set.
    /// @param total Samples evaluated.
    /// @param evaluator The address the proof is bound to.
    function evaluation(uint256 head, uint256 evalRoot, uint32 correct, uint64 lossSum, uint32 total, address evaluator)
        internal
        pure
        returns (uint256[] memory inputs)
    {
        inputs = new uint256[](EVAL_WORDS);
        inputs[0] = head;
        inputs[1] = evalRoot;
        inputs[2] = correct;
        inputs[3] = lossSum;
        inputs[4] = bindPayee(total, evaluator);
    }
}
