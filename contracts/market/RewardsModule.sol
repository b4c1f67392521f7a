// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IRewards} from "../interfaces/IRewards.sol";
import {MarketStorage} from "./MarketStorage.sol";

/// @title RewardsModule
/// @notice Epoch emissions shared in proportion to verified work units, and the credit ledger every payment of
///         the market goes through (bounties, refunds, slash shares, emissions), paid out by `claim`.
/// @dev Finalization is O(1) however many epochs passed: work is only ever recorded in the current epoch, and
///      recording work in epoch e finalizes every epoch before e, so at most one unfinalized epoch (the one at
///      `_nextEpoch`) can hold work; every later skipped epoch had none and carries its emission over.
abstract contract RewardsModule is IRewards, MarketStorage {
    /// @inheritdoc IRewards
    function fundEmissions(uint256 amount) external nonReentrant {
        if (amount == 0) revert RewardsZeroAmount();
        // A plain uint128(amount) would truncate: the market would take `amount` and book less.
        _pool = SafeCast.toUint128(_pool + amount);
        emit EmissionsFunded(msg.sender, amount);
        SafeERC20.safeTransferFrom(_token, msg.sender, address(this), amount);
    }

    /// @inheritdoc IRewards
    function finalizeEpochs() external {
        _finalizeBefore(_epochNow());
    }

    /// @inheritdoc IRewards
    function claim() external nonReentrant returns (uint256 amount) {
        _finalizeBefore(_epochNow());
        RewardAccount memory account = _settled(msg.sender);
        amount = account.credit;
        // Reason: `credit` is this contract's own ledger (no token balance); 0 means nothing to claim. Slither
        // taints it through the timestamp-derived epoch, but no one can force or dodge the equality.
        // slither-disable-next-line incorrect-equality
        if (amount == 0) revert RewardsNothingToClaim(msg.sender);

        account.credit = 0;
        _rewards[msg.sender] = account;
        emit Claimed(msg.sender, amount);
        SafeERC20.safeTransfer(_token, msg.sender, amount);
    }

    /// @inheritdoc IRewards
    function settle(address prover) external {
        _finalizeBefore(_epochNow());
        _rewards[prover] = _settled(prover);
    }

    /// @inheritdoc IRewards
    function recycleDust(uint256 epoch) external {
        Epoch memory e = _epochs[epoch];
        // Reason: `units` and `settledUnits` are exact work-unit counters kept by this contract (no token balance);
        // dust is final only when every unit of the epoch has been settled, which is an exact equality by design.
        // slither-disable-next-line incorrect-equality
        if (epoch >= _nextEpoch || e.units == 0 || e.settledUnits != e.units) revert RewardsEpochNotSettled(epoch);
        uint256 dust = e.emission - _epochPaid[epoch];
        _epochPaid[epoch] = e.emission;
        _pool += uint128(dust);
        emit DustRecycled(epoch, dust);
    }

    /// @inheritdoc IRewards
    function claimable(address account) external view returns (uint256) {
        RewardAccount memory r = _rewards[account];
        uint256 amount = r.credit;
        if (r.workUnits != 0 && r.workEpoch < _epochNow()) {
            bool finalized = r.workEpoch < _nextEpoch;
            uint256 emission = finalized ? _epochs[r.workEpoch].emission : _projectedEmission();
            uint256 units = finalized ? _epochs[r.workEpoch].units : _currentUnits;
            amount += emission * r.workUnits / units;
        }
        return amount;
    }

    /// @inheritdoc IRewards
    function currentEpoch() external view returns (uint256) {
        return _epochNow();
    }

    /// @inheritdoc IRewards
    function epochInfo(uint256 epoch) external view returns (Epoch memory e) {
        e = _epochs[epoch];
        // Reason: an exact epoch index chosen by the caller of a view; the open epoch's units live in the hot slot.
        // slither-disable-next-line incorrect-equality
        if (epoch == _nextEpoch) e.units = _currentUnits;
    }

    /// @inheritdoc IRewards
    function unallocatedEmissions() external view returns (uint256) {
        return _pool;
    }

    /// @inheritdoc IRewards
    function carriedEmission() external view returns (uint256) {
        return _carry;
    }

    /// @inheritdoc IRewards
    function emissionPerEpoch() external view returns (uint256) {
        return _emissionPerEpoch;
    }

    /// @inheritdoc IRewards
    function epochLength() external view returns (uint256) {
        return _epochLength;
    }

    /// @dev Credits `amount` to `account`'s claimable balance.
    function _credit(address account, uint256 amount) internal {
        if (amount != 0) _rewards[account].credit += uint128(amount);
    }

    /// @dev Records `units` of verified work and credits `bounty` for `prover` in the current epoch.
    function _recordWork(address prover, uint256 units, uint256 bounty) internal {
        uint256 epoch = _epochNow();
        _finalizeBefore(epoch);
        RewardAccount memory account = _settled(prover);
        account.credit += uint128(bounty);
        account.workEpoch = uint32(epoch);
        account.workUnits += uint96(units);
        _rewards[prover] = account;
        _currentUnits += uint64(units);
    }

    /// @dev `prover`'s reward account with its share of a finalized epoch moved into its credit.
    function _settled(address prover) internal returns (RewardAccount memory account) {
        account = _rewards[prover];
        // Reason: `workUnits` is an exact counter kept by this contract (no token balance); 0 means no pending work.
        // slither-disable-next-line incorrect-equality
        if (account.workUnits == 0 || account.workEpoch >= _nextEpoch) return account;
        uint256 epoch = account.workEpoch;
        Epoch storage e = _epochs[epoch];
        uint256 share = uint256(e.emission) * account.workUnits / e.units;
        e.settledUnits += uint64(account.workUnits);
        _epochPaid[epoch] += share;
        account.credit += uint128(share);
        account.workUnits = 0;
        emit EmissionSettled(prover, epoch, share);
    }

    /// @dev Finalizes every epoch before `epoch`: the one at `_nextEpoch` (the only one that can hold work)
    ///      gets `min(rate + carry, pool)` if it has work, and every epoch without work adds `rate` to the carry.
    function _finalizeBefore(uint256 epoch) internal {
        uint256 next = _nextEpoch;
        if (next >= epoch) return;
        uint256 rate = _emissionPerEpoch;
        uint256 carry = _carry;
        uint256 units = _currentUnits;
        if (units != 0) {
            uint256 emission = rate + carry;
            if (emission > _pool) emission = _pool;
            _pool -= uint128(emission);
            _epochs[next] = Epoch({units: uint64(units), settledUnits: 0, emission: uint128(emission)});
            _currentUnits = 0;
            carry = 0;
            emit EpochFinalized(next, units, emission);
        } else {
            carry += rate;
            emit EpochFinalized(next, 0, 0);
        }
        carry += rate * (epoch - next - 1);
        // Saturate rather than revert: a revert here would block every fulfilment.
        _carry = carry > type(uint128).max ? type(uint128).max : uint128(carry);
        _nextEpoch = uint32(epoch);
    }

    /// @dev The emission the unfinalized epoch at `_nextEpoch` would get now (views only).
    function _projectedEmission() private view returns (uint256 emission) {
        emission = _emissionPerEpoch + _carry;
        if (emission > _pool) emission = _pool;
    }
}
