// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ITaskMarket} from "../interfaces/ITaskMarket.sol";
import {RewardsLogic} from "./RewardsLogic.sol";
import {StakingLogic} from "./StakingLogic.sol";
import {TaskLogic} from "./TaskLogic.sol";

/// @title TaskAdminModule
/// @notice The task operations off the hot path: slashing, the two-step cancellation, outbidding a squatted
///         statement, and the task views.
/// @dev Cancellation cannot take a proven output for free: a request only starts a notice of CANCEL_NOTICE
///      seconds of unpaused time during which fulfilments are still accepted and paid, and a request on a locked
///      task is refused (a locked task is never cancelled; past its deadline it is slashed).
abstract contract TaskAdminModule is TaskLogic, StakingLogic, RewardsLogic {
    /// @notice Minimum bounty increase of an outbid, in basis points of the open bounty.
    uint256 public constant MIN_OUTBID_BPS = 1_000;
    /// @dev Burned slash shares go here (OpenZeppelin's ERC20 forbids transfers to address(0)).
    address internal constant BURN_ADDRESS = 0x000000000000000000000000000000000000dEaD;

    /// @notice Slashes a locked task past its effective deadline (ITaskMarket.slash).
    function slash(ITaskMarket.Task calldata task) external nonReentrant {
        _requireNotPaused();
        (bytes32 id,) = _openTask(task);
        if (task.prover == address(0)) revert ITaskMarket.TaskMarketNotLocked(id);
        if (!_expired(task)) revert ITaskMarket.TaskMarketNotExpired(id, _effectiveDeadline(task));

        delete _records[id];
        uint96 collateral = task.collateral;
        _slashCollateral(task.prover, collateral);
        uint256 toRequester = uint256(collateral) * task.slashRequesterBps / 10_000;
        uint256 toCaller = uint256(collateral) * task.slashCallerBps / 10_000;
        uint256 burned = uint256(collateral) * task.slashBurnBps / 10_000;
        uint256 toTreasury = collateral - toRequester - toCaller - burned;
        _credit(task.requester, toRequester + task.bounty + task.fee);
        _credit(msg.sender, toCaller);
        _credit(_treasury, toTreasury);
        emit ITaskMarket.TaskSlashed(id, task.prover, msg.sender, toRequester, toCaller, burned, toTreasury);
        if (burned != 0) SafeERC20.safeTransfer(_token, BURN_ADDRESS, burned);
    }

    /// @notice Starts the cancellation of an unlocked task (ITaskMarket.requestCancel).
    function requestCancel(ITaskMarket.Task calldata task) external {
        (bytes32 id,) = _openTask(task);
        if (task.prover != address(0)) revert ITaskMarket.TaskMarketLocked(id, task.prover);
        if (msg.sender != task.requester) revert ITaskMarket.TaskMarketNotRequester(id, msg.sender);
        if (_cancelAt[id] != 0) revert ITaskMarket.TaskMarketCancelling(id);
        _cancelAt[id] = _activeNow() + CANCEL_NOTICE;
        emit ITaskMarket.TaskCancelRequested(id, msg.sender, block.timestamp + CANCEL_NOTICE);
    }

    /// @notice Cancels an unlocked task whose cancellation is due or whose deadline passed (ITaskMarket.cancelTask).
    function cancelTask(ITaskMarket.Task calldata task) external nonReentrant {
        (bytes32 id,) = _openTask(task);
        if (task.prover != address(0)) revert ITaskMarket.TaskMarketLocked(id, task.prover);
        uint256 due = _cancelAt[id];
        if ((due == 0 || _activeNow() < due) && !_expired(task)) revert ITaskMarket.TaskMarketNotCancellable(id);

        delete _records[id];
        delete _cancelAt[id];
        _credit(task.requester, uint256(task.bounty) + task.fee);
        emit ITaskMarket.TaskCancelled(id, task.requester);
    }

    /// @notice Replaces an open, unlocked task with a better-paid one (ITaskMarket.outbidTask).
    function outbidTask(ITaskMarket.Task calldata open, ITaskMarket.Offer calldata offer, bytes calldata inputData)
        external
        nonReentrant
    {
        _requireNotPaused();
        (bytes32 id,) = _openTask(open);
        if (open.prover != address(0)) revert ITaskMarket.TaskMarketLocked(id, open.prover);
        // The whole new ramp must pay more: else a requester could replace its own task, from another address,
        // in front of a pending fulfil with one whose price starts at the minimum bounty.
        uint256 needed = uint256(open.bounty) + uint256(open.bounty) * MIN_OUTBID_BPS / 10_000;
        if (offer.minPrice < needed) revert ITaskMarket.TaskMarketOutbidTooLow(offer.minPrice, needed);

        delete _cancelAt[id];
        _credit(open.requester, uint256(open.bounty) + open.fee);
        emit ITaskMarket.TaskOutbid(id, open.requester, msg.sender);
        (, uint256 escrow) = _post(msg.sender, open.modelId, open.input, offer, inputData);
        _escrow(escrow);
    }

    /// @notice Statement id for (modelId, input words).
    function statementId(uint256 modelId, uint256[] calldata input) external pure returns (bytes32) {
        return _statementId(modelId, input);
    }

    /// @notice The open task hash for a statement, or zero if none is open.
    function openTaskHash(bytes32 id) external view returns (bytes32) {
        uint256 record = _records[id];
        // Reason: a flag bit of the market's own statement record (task hash or VERIFIED | output), not a balance.
        // slither-disable-next-line incorrect-equality
        return record & VERIFIED == 0 ? bytes32(record) : bytes32(0);
    }

    /// @notice The hash stored for an open task.
    function taskHash(ITaskMarket.Task calldata task) external pure returns (bytes32) {
        return bytes32(_hashCalldata(task));
    }

    /// @notice The price of `task` at `timestamp`.
    function priceAt(ITaskMarket.Task calldata task, uint256 timestamp) external pure returns (uint256) {
        return _priceAt(task, timestamp);
    }

    /// @notice The fee taken for `task` at `price`.
    function feeAt(ITaskMarket.Task calldata task, uint256 price) external pure returns (uint256) {
        return _feeAt(task, price);
    }

    /// @notice The protocol fee escrowed for `bounty` under the current parameters.
    function feeFor(uint256 bounty) external view returns (uint256) {
        return bounty * _params.protocolFeeBps / 10_000;
    }

    /// @notice `task.deadline` extended by the time paused since it was posted.
    function effectiveDeadline(ITaskMarket.Task calldata task) external view returns (uint256) {
        return _effectiveDeadline(task);
    }

    /// @notice When a requested cancellation is due (wall clock, assuming no further pause), or 0.
    function cancelDueAt(bytes32 id) external view returns (uint256) {
        uint256 due = _cancelAt[id];
        // Reason: 0 is the "no cancellation requested" sentinel of the market's own record.
        // slither-disable-next-line incorrect-equality
        return due == 0 ? 0 : due + _pauseClockNow();
    }
}
