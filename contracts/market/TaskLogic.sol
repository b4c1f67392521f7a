// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IMarketGovernance} from "../interfaces/IMarketGovernance.sol";
import {IModelRegistry} from "../interfaces/IModelRegistry.sol";
import {ITaskMarket} from "../interfaces/ITaskMarket.sol";
import {Statement} from "../libraries/Statement.sol";
import {MarketStorage} from "./MarketStorage.sol";

/// @title TaskLogic
/// @notice Posting, hashing and pricing of tasks, shared by the market and its extension.
/// @dev A task is stored as the hash of its ABI encoding under its statement id; callers pass the task back. The
///      price of an open task follows a reverse-Dutch ramp from `minPrice` (until `rampStart`) to `bounty` (from
///      `rampEnd`), so whoever takes a task first can only lower what the requester pays. The protocol fee is
///      escrowed at the full bounty and scaled with the price when taken.
abstract contract TaskLogic is MarketStorage {
    /// @notice Seconds of unpaused time between a cancellation request and the cancellation.
    uint256 public constant CANCEL_NOTICE = 600;

    /// @dev Checks and stores a task for `requester` (the statement must be free; not checked here), emits
    ///      TaskPosted and returns what must be escrowed (price ceiling plus fee).
    function _post(
        address requester,
        uint256 modelId,
        uint256[] calldata input,
        ITaskMarket.Offer memory o,
        bytes calldata inputData
    ) internal returns (bytes32 id, uint256 escrow) {
        IModelRegistry.Model memory model = _registry.getModel(modelId);
        if (!model.active || model.kind != IModelRegistry.Kind.Inference) {
            revert ITaskMarket.TaskMarketModelNotAvailable(modelId);
        }
        if (input.length != model.inputWords) {
            revert ITaskMarket.TaskMarketWrongInputLength(input.length, model.inputWords);
        }
        for (uint256 i; i < input.length; ++i) {
            if (input[i] >= Statement.SCALAR_FIELD) revert ITaskMarket.TaskMarketInputNotInField(i);
        }
        IMarketGovernance.Params memory p = _params;
        if (o.bounty < p.minBounty || o.bounty > type(uint96).max) {
            revert ITaskMarket.TaskMarketInvalidBounty(o.bounty, p.minBounty);
        }
        if (o.collateral < p.minCollateral || o.collateral > type(uint96).max) {
            revert ITaskMarket.TaskMarketInvalidCollateral(o.collateral, p.minCollateral);
        }
        if (o.deadline <= block.timestamp + p.minTaskDuration || o.deadline > block.timestamp + p.maxTaskDuration) {
            revert ITaskMarket.TaskMarketInvalidDeadline(o.deadline);
        }
        uint256 rampStart = block.timestamp + o.rampDelay;
        uint256 rampEnd = rampStart + o.rampPeriod;
        if (o.minPrice < p.minBounty || o.minPrice > o.bounty || rampEnd >= o.deadline) {
            revert ITaskMarket.TaskMarketInvalidOffer();
        }
        id = _statementId(modelId, input);
        uint256 fee = o.bounty * p.protocolFeeBps / 10_000;

        // Field by field (a 20-field struct literal is too deep for the legacy code generator's stack).
        // Reason: every field is assigned below; the zero defaults of the slash terms and prover are intended.
        // slither-disable-next-line uninitialized-local
        ITaskMarket.Task memory task;
        task.requester = requester;
        task.modelId = uint64(modelId);
        task.deadline = uint32(o.deadline);
        task.verifier = model.verifier;
        task.workUnits = model.workUnits;
        task.outputWords = model.outputWords;
        task.privateWeights = model.privateWeights;
        task.weightsCommitment = model.weightsCommitment;
        task.bounty = uint96(o.bounty);
        task.minPrice = uint96(o.minPrice);
        task.rampStart = uint32(rampStart);
        task.rampEnd = uint32(rampEnd);
        task.fee = uint96(fee);
        task.collateral = uint96(o.collateral);
        task.pauseClock = uint32(_pauseClockNow());
        task.input = input;
        _records[id] = _hashEncoded(abi.encode(task));
        emit ITaskMarket.TaskPosted(id, modelId, requester, task, inputData);
        escrow = o.bounty + fee;
    }

    /// @dev Pulls `amount` from the caller into escrow.
    function _escrow(uint256 amount) internal {
        SafeERC20.safeTransferFrom(_token, msg.sender, address(this), amount);
    }

    /// @dev The statement id and input hash of `task`, after checking that `task` is the open task stored for it.
    function _openTask(ITaskMarket.Task calldata task) internal view returns (bytes32 id, bytes32 inputHash) {
        inputHash = keccak256(abi.encodePacked(task.input));
        id = keccak256(abi.encode(task.modelId, inputHash));
        if (!_isOpen(task, id)) revert ITaskMarket.TaskMarketUnknownTask(id);
    }

    /// @dev True iff `task` is exactly the open task stored under statement id `id`.
    function _isOpen(ITaskMarket.Task calldata task, bytes32 id) internal view returns (bool) {
        uint256 record = _records[id];
        // Reason: the record is the market's own (0: none; else a task hash or VERIFIED | output); the task must
        // hash to exactly the stored value, an equality by design.
        // slither-disable-next-line incorrect-equality
        return record != 0 && record & VERIFIED == 0 && record == _hashCalldata(task);
    }

    /// @dev True iff a cancellation was requested for statement `id` and its notice is over (active clock).
    function _cancelDue(bytes32 id) internal view returns (bool) {
        uint256 due = _cancelAt[id];
        return due != 0 && _activeNow() >= due;
    }

    /// @dev True iff `task` is past its deadline, on the active clock (time spent paused does not count).
    function _expired(ITaskMarket.Task calldata task) internal view returns (bool) {
        return _activeNow() > uint256(task.deadline) - task.pauseClock;
    }

    /// @dev `task.deadline` extended by the time spent paused since it was posted.
    function _effectiveDeadline(ITaskMarket.Task calldata task) internal view returns (uint256) {
        return uint256(task.deadline) + _pauseClockNow() - task.pauseClock;
    }

    /// @dev Price of `task` at `t`: `minPrice` until `rampStart`, linear to `bounty` at `rampEnd`, then `bounty`.
    function _priceAt(ITaskMarket.Task calldata task, uint256 t) internal pure returns (uint256) {
        if (t >= task.rampEnd) return task.bounty;
        if (t <= task.rampStart) return task.minPrice;
        return task.minPrice
            + (uint256(task.bounty) - task.minPrice) * (t - task.rampStart) / (uint256(task.rampEnd) - task.rampStart);
    }

    /// @dev Fee at `price`: the escrowed fee scaled by `price / bounty` (rounded down).
    function _feeAt(ITaskMarket.Task calldata task, uint256 price) internal pure returns (uint256) {
        return uint256(task.fee) * price / task.bounty;
    }

    /// @dev keccak256(abi.encode(modelId, keccak256(abi.encodePacked(input)))).
    function _statementId(uint256 modelId, uint256[] calldata input) internal pure returns (bytes32) {
        return keccak256(abi.encode(modelId, keccak256(abi.encodePacked(input))));
    }

    /// @dev Hash of a task: keccak256 of its ABI tuple encoding (`abi.encode(task)` without the leading offset
    ///      word), top bit cleared (never VERIFIED). Two ways to compute the same value: from memory when a task is
    ///      stored, and straight from calldata when one is passed back (no copy and re-encode).
    function _hashEncoded(bytes memory encoded) internal pure returns (uint256 h) {
        assembly ("memory-safe") {
            h := keccak256(add(encoded, 0x40), sub(mload(encoded), 0x20))
        }
        h &= ~VERIFIED;
    }

    /// @dev The calldata tuple of `task` hashed in place. Its canonical layout is 20 head words (the last is the
    ///      input's offset, 0x280), the input's length and its words; any other layout changes a hashed word, so
    ///      it cannot match a stored hash.
    function _hashCalldata(ITaskMarket.Task calldata task) internal pure returns (uint256 h) {
        uint256 len = (21 + task.input.length) * 32;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            calldatacopy(ptr, task, len)
            h := keccak256(ptr, len)
        }
        h &= ~VERIFIED;
    }
}
