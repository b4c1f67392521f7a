// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IRewards} from "../interfaces/IRewards.sol";
import {IStaking} from "../interfaces/IStaking.sol";
import {RewardsLogic} from "./RewardsLogic.sol";
import {StakingLogic} from "./StakingLogic.sol";

/// @title AccountsModule
/// @notice Leaving the market and reading accounts: unbonding and withdrawal of stake (open whether or not the
///         market is paused or the prover has locks), settling emission shares, and the staking and reward views.
abstract contract AccountsModule is StakingLogic, RewardsLogic {
    /// @notice Moves `amount` of free stake to unbonding (IStaking.requestUnstake). A new request adds to the
    ///         pending amount and restarts its timer.
    function requestUnstake(uint256 amount) external nonReentrant {
        if (amount == 0) revert IStaking.StakingZeroAmount();
        IStaking.Account storage account = _accounts[msg.sender];
        uint256 free = account.active - account.locked;
        if (amount > free) revert IStaking.StakingInsufficientFreeStake(free, amount);

        account.active -= uint96(amount);
        Unbonding storage unbonding = _unbonding[msg.sender];
        unbonding.amount += uint96(amount);
        uint64 releaseAt = uint64(block.timestamp) + _params.unbondingDelay;
        unbonding.releaseAt = releaseAt;
        emit IStaking.UnstakeRequested(msg.sender, amount, releaseAt);
    }

    /// @notice Withdraws the caller's unbonded tokens once the delay has passed (IStaking.withdraw).
    function withdraw() external nonReentrant returns (uint256 amount) {
        Unbonding memory unbonding = _unbonding[msg.sender];
        amount = unbonding.amount;
        if (amount == 0) revert IStaking.StakingNothingToWithdraw();
        if (block.timestamp < unbonding.releaseAt) {
            revert IStaking.StakingStillUnbonding(unbonding.releaseAt, uint64(block.timestamp));
        }

        delete _unbonding[msg.sender];
        _totalStaked -= amount;
        emit IStaking.Withdrawn(msg.sender, amount);
        SafeERC20.safeTransfer(_token, msg.sender, amount);
    }

    /// @notice Finalizes every ended epoch (IRewards.finalizeEpochs).
    function finalizeEpochs() external {
        _finalizeBefore(_epochNow());
    }

    /// @notice Credits `prover`'s emission share of a finalized epoch (IRewards.settle).
    function settle(address prover) external {
        _finalizeBefore(_epochNow());
        _rewards[prover] = _settled(prover);
    }

    /// @notice Returns the dust of a fully settled epoch to the pool (IRewards.recycleDust).
    function recycleDust(uint256 epoch) external {
        IRewards.Epoch memory e = _epochs[epoch];
        // Reason: `fees` and `settledFees` are exact counters kept by this contract (no token balance); dust is
        // final only when every fee of the epoch has been settled, which is an exact equality by design.
        // slither-disable-next-line incorrect-equality
        if (epoch >= _nextEpoch || e.fees == 0 || e.settledFees != e.fees) revert IRewards.RewardsEpochNotSettled(epoch);
        uint256 dust = e.emission - _epochPaid[epoch];
        _epochPaid[epoch] = e.emission;
        _pool += uint128(dust);
        emit IRewards.DustRecycled(epoch, dust);
    }

    /// @notice What `account` could claim now (IRewards.claimable), including shares and treasury fees of an
    ///         ended epoch that is not finalized yet.
    function claimable(address account) external view returns (uint256 amount) {
        RewardAccount memory r = _rewards[account];
        amount = r.credit;
        uint256 epochNow = _epochNow();
        bool openEnded = _nextEpoch < epochNow;
        if (r.workFees != 0 && r.workEpoch < epochNow) {
            bool finalized = r.workEpoch < _nextEpoch;
            uint256 emission = finalized ? _epochs[r.workEpoch].emission : _projectedEmission();
            uint256 fees = finalized ? _epochs[r.workEpoch].fees : _currentFees;
            amount += emission * r.workFees / fees;
        }
        if (account == _treasury && openEnded) amount += _currentFees;
    }

    /// @notice The current epoch number.
    function currentEpoch() external view returns (uint256) {
        return _epochNow();
    }

    /// @notice An epoch's accounting (the open epoch's fees come from the hot slot).
    function epochInfo(uint256 epoch) external view returns (IRewards.Epoch memory e) {
        e = _epochs[epoch];
        // Reason: an exact epoch index chosen by the caller of a view; the open epoch's fees live in the hot slot.
        // slither-disable-next-line incorrect-equality
        if (epoch == _nextEpoch) e.fees = _currentFees;
    }

    /// @notice Emission tokens not yet allocated to an epoch.
    function unallocatedEmissions() external view returns (uint256) {
        return _pool;
    }

    /// @notice Emission carried into the next finalized epoch from epochs without work.
    function carriedEmission() external view returns (uint256) {
        return _carry;
    }

    /// @notice The emission rate in force for the current epoch.
    function emissionPerEpoch() external view returns (uint256) {
        return _rateOf(_rate, _epochNow());
    }

    /// @notice A scheduled rate and the epoch it applies from (0: none pending).
    function scheduledEmission() external view returns (uint256 rate, uint256 fromEpoch) {
        EmissionRate memory r = _rate;
        return (r.scheduled, r.fromEpoch);
    }

    /// @notice Epoch length in seconds.
    function epochLength() external view returns (uint256) {
        return _epochLength;
    }

    /// @notice The stake account of `prover`.
    function accountOf(address prover) external view returns (IStaking.Account memory) {
        return _accounts[prover];
    }

    /// @notice Active stake of `prover`.
    function stakeOf(address prover) external view returns (uint256) {
        return _accounts[prover].active;
    }

    /// @notice Active stake not locked as collateral.
    function freeStakeOf(address prover) external view returns (uint256) {
        IStaking.Account memory account = _accounts[prover];
        return account.active - account.locked;
    }

    /// @notice Unbonding amount of `prover` and when it can be withdrawn.
    function unbondingOf(address prover) external view returns (uint256 amount, uint64 releaseAt) {
        Unbonding memory unbonding = _unbonding[prover];
        return (unbonding.amount, unbonding.releaseAt);
    }

    /// @notice Whether `prover` may take work.
    function isEligible(address prover) external view returns (bool) {
        return _isEligible(prover);
    }

    /// @notice Minimum active stake to take work.
    function minStake() external view returns (uint256) {
        return _params.minStake;
    }

    /// @notice Seconds between an unstake request and withdrawal.
    function unbondingDelay() external view returns (uint64) {
        return _params.unbondingDelay;
    }

    /// @notice The staked ERC-20 token (also the bounty and reward token).
    function token() external view returns (address) {
        return address(_token);
    }

    /// @notice Sum of all active and unbonding stake.
    function totalStaked() external view returns (uint256) {
        return _totalStaked;
    }

    /// @dev The emission the unfinalized epoch at `_nextEpoch` would get now (views only).
    function _projectedEmission() private view returns (uint256 emission) {
        emission = _rateOf(_rate, _nextEpoch) + _carry;
        if (emission > _pool) emission = _pool;
        if (emission > _currentFees) emission = _currentFees;
    }
}
