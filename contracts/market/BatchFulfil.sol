// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IGroth16BatchVerifier} from "../interfaces/IGroth16BatchVerifier.sol";
import {ITaskMarket} from "../interfaces/ITaskMarket.sol";
import {IVerifiedOutputs} from "../interfaces/IVerifiedOutputs.sol";
import {Statement} from "../libraries/Statement.sol";
import {RewardsLogic} from "./RewardsLogic.sol";
import {StakingLogic} from "./StakingLogic.sol";
import {TaskLogic} from "./TaskLogic.sol";

/// @title BatchFulfil
/// @notice `fulfilBatch`: many tasks of one model settled with one randomized batch check of their proofs.
/// @dev The rule for a task that is no longer open to the caller when the batch lands (fulfilled, locked or outbid by
///      someone else, cancelled, expired): it is *skipped* — `TaskSkipped`, no payment, its proof left out of the
///      check — rather than reverting the batch. Those states are races that anyone (a competitor fulfilling or
///      locking one task of the batch, the clock) can create after the batch was signed; reverting would let a
///      competitor void a whole batch for the price of one fulfilment. What only the caller controls reverts the
///      whole batch with the offending index: an unsorted or repeated task, another model or verifier, a wrong output
///      length, a pre-filled payee slot, the caller's own ineligibility, an invalid proof (a batch check cannot say
///      which proof failed; the node checks its batch natively before sending).
///
///      Each paid task is settled as `fulfil` settles it (record, output, collateral, refund of an unlocked task's
///      unused ramp, fee-weighted work), with the per-prover updates summed once per batch. Every effect happens
///      before the only external call, a STATICCALL to the verifier registered for the model (the first paid task's
///      `verifier`, validated by its stored hash); if the batch does not verify, the whole transaction reverts.
abstract contract BatchFulfil is TaskLogic, StakingLogic, RewardsLogic {
    /// @notice The most tasks one `fulfilBatch` takes.
    uint256 public constant MAX_BATCH = 64;

    /// @dev Skip reasons of `TaskSkipped`.
    uint8 internal constant SKIP_NOT_OPEN = 1;
    uint8 internal constant SKIP_LOCKED = 2;
    uint8 internal constant SKIP_EXPIRED = 3;
    uint8 internal constant SKIP_CANCELLED = 4;

    /// @dev What `fulfilBatch` accumulates over the tasks it pays. `call` points at the `verifyBatch` call data being
    ///      built (selector, two offsets, the proof count, the proofs); `inputs` at the flattened public inputs.
    struct Batch {
        uint256 call;
        uint256 inputs;
        uint256 paid;
        uint256 words;
        uint256 modelId;
        address verifier;
        uint256 collateral;
        uint256 locks;
        uint256 fees;
        uint256 prices;
        uint256 size;
    }

    /// @notice Fulfils tasks of one model with one batch proof check (ITaskMarket.fulfilBatch).
    function fulfilBatch(
        ITaskMarket.Task[] calldata tasks,
        uint256[][] calldata outputs,
        uint256[8][] calldata proofs
    ) external returns (uint256) {
        _requireNotPaused();
        uint256 n = tasks.length;
        if (n == 0 || n > MAX_BATCH || outputs.length != n || proofs.length != n) {
            revert ITaskMarket.TaskMarketBatchSize(n, outputs.length, proofs.length);
        }
        // Reason: every field is set before use (call here, inputs at the first paid task, the rest accumulate).
        // slither-disable-next-line uninitialized-local
        Batch memory b;
        // The call buffer: 4 + 3 head words + n proofs, and one spare word so that the inputs can be moved right
        // behind the proofs actually paid.
        assembly ("memory-safe") {
            let buf := mload(0x40)
            mstore(0x40, add(buf, add(0x84, shl(8, n))))
            mstore(b, buf)
        }
        b.size = n;
        uint256 previous;
        for (uint256 i; i < n; ++i) {
            uint256 id = _batchItem(tasks[i], outputs[i], proofs[i], b, i);
            if (id <= previous) revert ITaskMarket.TaskMarketBatchOrder(i);
            previous = id;
        }
        if (b.paid == 0) return 0;
        if (b.locks != 0) _releaseCollaterals(msg.sender, b.collateral, b.locks);
        // The summed fees must fit the uint96 work counter `_recordWork` casts to (64 bounties near 2^96 would not).
        _recordWork(msg.sender, SafeCast.toUint96(b.fees), b.prices);
        if (!_verifyBatch(b)) revert ITaskMarket.TaskMarketInvalidBatchProof();
        return b.paid;
    }

    /// @dev Checks task `i` of a batch and settles it, or skips it; returns its statement id (for the order check).
    function _batchItem(
        ITaskMarket.Task calldata task,
        uint256[] calldata output,
        uint256[8] calldata proof,
        Batch memory b,
        uint256 i
    ) private returns (uint256) {
        bytes32 inputHash = keccak256(abi.encodePacked(task.input));
        bytes32 id = keccak256(abi.encode(task.modelId, inputHash));
        uint8 skip = _skipReason(task, id);
        if (skip != 0) {
            emit ITaskMarket.TaskSkipped(id, skip);
            return uint256(id);
        }
        if (b.paid == 0) {
            _openBatch(b, task);
        } else if (task.modelId != b.modelId || task.verifier != b.verifier) {
            revert ITaskMarket.TaskMarketBatchMixed(i);
        }
        if (output.length != task.outputWords || output.length == 0) {
            revert ITaskMarket.TaskMarketWrongOutputLength(output.length, task.outputWords);
        }
        if (!Statement.hasPayeeRoom(output[output.length - 1])) revert ITaskMarket.TaskMarketOutputNotPacked(id);

        (uint256 price, uint256 fee) = _settleTerms(task, id, b);
        b.fees += fee;
        b.prices += price;
        _appendStatement(b, task, output, proof);
        _records[id] = VERIFIED | output[0];
        if (output.length > 1) _extraOutput[id] = output[1:];
        emit IVerifiedOutputs.OutputVerified(task.modelId, inputHash, msg.sender, output);
        return uint256(id);
    }

    /// @dev Takes the model, verifier and statement width of the batch from its first paid task, and allocates the
    ///      flattened public inputs of `b.size` such statements.
    function _openBatch(Batch memory b, ITaskMarket.Task calldata task) private pure {
        b.modelId = task.modelId;
        b.verifier = task.verifier;
        b.words = Statement.inferenceWords(task.input.length, task.outputWords, task.privateWeights);
        uint256 bytes_ = b.words * b.size * 0x20;
        uint256 inputs;
        assembly ("memory-safe") {
            inputs := mload(0x40)
            mstore(0x40, add(inputs, bytes_))
        }
        b.inputs = inputs;
    }

    /// @dev The price and fee a paid task settles at, as `fulfil`: a locked one at its locked terms (its collateral
    ///      is added to the batch's release); an unlocked one at the ramp's current price, refunding the requester
    ///      the unused ramp and fee (the caller must be eligible).
    function _settleTerms(ITaskMarket.Task calldata task, bytes32 id, Batch memory b)
        private
        returns (uint256 price, uint256 fee)
    {
        if (task.prover != address(0)) {
            b.collateral += task.collateral;
            ++b.locks;
            return (task.bounty, task.fee);
        }
        if (!_isEligible(msg.sender)) revert ITaskMarket.TaskMarketNotEligible(msg.sender);
        price = _priceAt(task, block.timestamp);
        fee = _feeAt(task, price);
        delete _cancelAt[id];
        _credit(task.requester, task.bounty - price + task.fee - fee);
    }

    /// @dev Why `task` cannot be paid to the caller now (0: it can): not the open task, locked by another prover,
    ///      expired, or (unlocked) its cancellation is due.
    function _skipReason(ITaskMarket.Task calldata task, bytes32 id) private view returns (uint8) {
        if (!_isOpen(task, id)) return SKIP_NOT_OPEN;
        if (task.prover != address(0) && task.prover != msg.sender) return SKIP_LOCKED;
        if (_expired(task)) return SKIP_EXPIRED;
        if (task.prover == address(0) && _cancelDue(id)) return SKIP_CANCELLED;
        return 0;
    }

    /// @dev Appends the proof and the public inputs (`input ++ output ++ [weightsCommitment]`, the caller bound into
    ///      the last output word) of a paid task to the batch.
    function _appendStatement(
        Batch memory b,
        ITaskMarket.Task calldata task,
        uint256[] calldata output,
        uint256[8] calldata proof
    ) private view {
        uint256 payeeBits = Statement.bindPayee(0, msg.sender);
        uint256[] calldata input = task.input;
        bool privateWeights = task.privateWeights;
        uint256 weightsCommitment = task.weightsCommitment;
        // Memory-safe: writes only inside the two buffers `fulfilBatch` allocated (a paid task adds one proof and
        // `b.words` inputs, at most MAX_BATCH of each); lengths come from ABI-decoded calldata arrays.
        assembly ("memory-safe") {
            let k := mload(add(b, 0x40))
            calldatacopy(add(add(mload(b), 0x64), shl(8, k)), proof, 0x100)
            let end := add(mload(add(b, 0x20)), mul(mul(k, mload(add(b, 0x60))), 0x20))
            calldatacopy(end, input.offset, shl(5, input.length))
            end := add(end, shl(5, input.length))
            calldatacopy(end, output.offset, shl(5, output.length))
            end := add(end, shl(5, output.length))
            mstore(sub(end, 0x20), or(mload(sub(end, 0x20)), payeeBits))
            if privateWeights { mstore(end, weightsCommitment) }
            mstore(add(b, 0x40), add(k, 1))
        }
    }

    /// @dev Calls `b.verifier.verifyBatch(proofs, publicInputs)` on the paid tasks; a verifier revert is bubbled up.
    /// @return valid True iff the verifier returned exactly the ABI word 1.
    function _verifyBatch(Batch memory b) private view returns (bool valid) {
        bytes4 selector = IGroth16BatchVerifier.verifyBatch.selector;
        // Memory-safe: completes the call buffer `fulfilBatch` allocated (the inputs move down behind the proofs
        // paid, into room the buffer reserved) and reads the return word into scratch space.
        assembly ("memory-safe") {
            let cd := mload(b)
            let k := mload(add(b, 0x40))
            let inputWords := mul(k, mload(add(b, 0x60)))
            let tail := add(add(cd, 0x64), shl(8, k))
            mstore(cd, selector)
            mstore(add(cd, 0x04), 0x40)
            mstore(add(cd, 0x24), add(0x60, shl(8, k)))
            mstore(add(cd, 0x44), k)
            mstore(tail, inputWords)
            mcopy(add(tail, 0x20), mload(add(b, 0x20)), shl(5, inputWords))
            let size := sub(add(add(tail, 0x20), shl(5, inputWords)), cd)
            if iszero(staticcall(gas(), mload(add(b, 0xa0)), cd, size, 0x00, 0x20)) {
                returndatacopy(cd, 0, returndatasize())
                revert(cd, returndatasize())
            }
            valid := and(eq(returndatasize(), 0x20), eq(mload(0x00), 1))
        }
    }
}
