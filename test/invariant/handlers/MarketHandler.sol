// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {console} from "forge-std/console.sol";
import {IMlproofMarket} from "../../../contracts/interfaces/IMlproofMarket.sol";
import {IRewards} from "../../../contracts/interfaces/IRewards.sol";
import {ITaskMarket} from "../../../contracts/interfaces/ITaskMarket.sol";
import {MlproofToken} from "../../../contracts/token/MlproofToken.sol";
import {MarketAccountActions} from "./MarketAccountActions.sol";
import {MarketBatchActions} from "./MarketBatchActions.sol";
import {MarketGovernanceActions} from "./MarketGovernanceActions.sol";
import {MarketHandlerBase} from "./MarketHandlerBase.sol";
import {MarketTaskActions} from "./MarketTaskActions.sol";
import {SelfDealingActions} from "./SelfDealingActions.sol";

/// @notice Drives a deployed market through bounded, mostly valid actions of a fixed cast (honest provers and
///         requesters, a keeper, a funder, the admin who is pauser and treasury, and a self-dealing prover with
///         its own requesters) and keeps ghost accounting of every token flow. The actions live by responsibility:
///         MarketTaskActions (tasks), MarketBatchActions (batch fulfilment), SelfDealingActions (the self-dealer),
///         MarketAccountActions (staking and rewards), MarketGovernanceActions (governance, pause and time);
///         MarketTaskOps predicts and books each task operation and MarketHandlerBase holds the ghost ledger and the
///         model (pause clock, price ramp, rate schedule). This contract adds the end-of-run drain and the views the
///         invariants read.
contract MarketHandler is
    MarketTaskActions,
    MarketBatchActions,
    SelfDealingActions,
    MarketAccountActions,
    MarketGovernanceActions
{
    constructor(
        IMlproofMarket market_,
        MlproofToken token_,
        address admin_,
        uint256[] memory models_,
        address[] memory provers_,
        address[] memory requesters_,
        address keeper_,
        address funder_,
        address sybilProver_
    ) MarketHandlerBase(market_, token_, admin_, keeper_, funder_, sybilProver_) {
        _models = models_;
        _provers = provers_;
        _requesters = requesters_;
        for (uint256 i; i < provers_.length; ++i) {
            _addAccount(provers_[i], true);
        }
        for (uint256 i; i < requesters_.length; ++i) {
            _addAccount(requesters_[i], true);
        }
        _addAccount(keeper_, true);
        _addAccount(admin_, true);
        _inSybilGroup[sybilProver_] = true;
        _addAccount(sybilProver_, false);
        vm.prank(funder_);
        token_.approve(address(market_), type(uint256).max);
        _poolBefore = market_.unallocatedEmissions();
        _carryBefore = market_.carriedEmission();
    }

    // ================================================================== end-of-run drain

    /// @notice Pays everyone out (not a fuzz target; called from `afterInvariant`): lifts a pause, slashes every
    ///         open lock and cancels every other task past its deadline, finalizes, settles and claims every
    ///         account, recycles all dust, and unbonds and withdraws every stake. Any revert means stuck funds.
    function drain() external {
        vm.recordLogs();
        vm.getRecordedLogs();
        if (ghostPaused) _unpause(admin);
        vm.warp(block.timestamp + market.params().maxTaskDuration + 1);
        while (_open.length != 0) {
            uint256 i = _open.length - 1;
            bool done = _open[i].prover != address(0) ? _trySlash(i, keeper) : _tryCancel(i, keeper);
            require(done, lastViolation);
        }
        skip(market.epochLength());
        vm.prank(keeper);
        market.finalizeEpochs();
        _sync();
        for (uint256 k; k < _accounts.length; ++k) {
            address a = _accounts[k];
            vm.prank(keeper);
            market.settle(a);
            _sync();
            uint256 amount = market.claimable(a);
            if (amount != 0) require(_claim(a, amount), lastViolation);
        }
        for (uint256 k; k < _workEpochs.length; ++k) {
            uint256 e = _workEpochs[k];
            IRewards.Epoch memory info = market.epochInfo(e);
            if (info.settledFees != info.fees) _violation("epoch not fully settled after drain");
            if (info.fees == 0) continue;
            vm.prank(keeper);
            market.recycleDust(e);
            _sync();
        }
        address[] memory s = stakers();
        for (uint256 k; k < s.length; ++k) {
            uint256 free = market.freeStakeOf(s[k]);
            if (market.accountOf(s[k]).lockCount != 0) _violation("lock left after drain");
            if (free == 0) continue;
            vm.prank(s[k]);
            market.requestUnstake(free);
        }
        skip(uint256(market.unbondingDelay()) + 1);
        for (uint256 k; k < s.length; ++k) {
            (uint256 amount,) = market.unbondingOf(s[k]);
            if (amount == 0) continue;
            vm.prank(s[k]);
            uint256 out = market.withdraw();
            ghostStakedOut += out;
            ghostWithdrawnBy[s[k]] += out;
        }
    }

    // ================================================================== views for the invariants

    /// @notice Honest provers and the self-dealer.
    function stakers() public view returns (address[] memory s) {
        s = new address[](_provers.length + 1);
        for (uint256 i; i < _provers.length; ++i) {
            s[i] = _provers[i];
        }
        s[_provers.length] = sybilProver;
    }

    function accounts() external view returns (address[] memory) {
        return _accounts;
    }

    function openTasks() external view returns (ITaskMarket.Task[] memory) {
        return _open;
    }

    function paidIds() external view returns (bytes32[] memory) {
        return _paidIds;
    }

    function workEpochs() external view returns (uint256[] memory) {
        return _workEpochs;
    }

    /// @notice The self-dealing group: the self-dealer and its requesters.
    function sybilGroup() external view returns (address[] memory g) {
        g = new address[](_sybils.length + 1);
        g[0] = sybilProver;
        for (uint256 i; i < _sybils.length; ++i) {
            g[i + 1] = _sybils[i];
        }
    }

    /// @notice The model's emission rate for epoch `e`.
    function rateOf(uint256 e) external view returns (uint256) {
        return _rateOf(e);
    }

    /// @notice The model's pause clock.
    function pauseClock() external view returns (uint256) {
        return _pauseClock();
    }

    /// @notice The model's effective deadline of `t`.
    function effectiveDeadline(ITaskMarket.Task memory t) external view returns (uint256) {
        return _effectiveDeadline(t);
    }

    /// @notice Escrow of the open tasks: bounty (price ceiling, or locked price) plus fee.
    function openEscrow() public view returns (uint256 sum) {
        for (uint256 i; i < _open.length; ++i) {
            sum += uint256(_open[i].bounty) + _open[i].fee;
        }
    }

    /// @notice Sum of the ledger credits of every account.
    function creditSum() public view returns (uint256 sum) {
        for (uint256 i; i < _accounts.length; ++i) {
            sum += ghostCredit[_accounts[i]];
        }
    }

    /// @notice Emission of finalized epochs neither settled to a prover nor recycled into the pool.
    function reservedUnpaid() public view returns (uint256) {
        return ghostAllocated - ghostSettled - ghostRecycled;
    }

    /// @notice Debugging: how often each action was called and got through (MARKET_INVARIANT_SUMMARY=true).
    function callSummary() external view {
        string[29] memory names = [
            "postTask",
            "postTaskWithOffer",
            "lockTask",
            "fulfil",
            "fulfilWrongProver",
            "requestCancel",
            "cancelTask",
            "outbidTask",
            "slash",
            "stake",
            "requestUnstake",
            "withdraw",
            "fundEmissions",
            "claim",
            "settle",
            "finalizeEpochs",
            "recycleDust",
            "pause",
            "unpause",
            "setParams",
            "setEmissionPerEpoch",
            "warp",
            "warpEpochs",
            "warpToDeadline",
            "donate",
            "sybilPost",
            "sybilLock",
            "sybilFulfil",
            "fulfilBatch"
        ];
        console.log("action / calls / completed");
        for (uint256 i; i < names.length; ++i) {
            console.log(names[i], _calls[i], _oks[i]);
        }
        console.log("open tasks", _open.length, "paid statements", _paidIds.length);
        console.log("batches: tasks paid / skipped, refused", _batchTasksPaid, _batchTasksSkipped, _batchesRefused);
        console.log("work epochs", _workEpochs.length, "next epoch", ghostNextEpoch);
        console.log("funded / allocated", ghostFunded, ghostAllocated);
        console.log("settled / recycled", ghostSettled, ghostRecycled);
        console.log("sybil minted / fees paid / emission", ghostSybilMinted, ghostSybilFeesPaid, ghostSybilEmission);
        console.log("paused seconds", _pauseClock(), "slashed", ghostSlashedTotal);
    }
}
