// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IRewards} from "../interfaces/IRewards.sol";
import {MarketStorage} from "./MarketStorage.sol";

/// @title RewardsLogic
/// @notice The credit ledger every payment of the market goes through, and fee-weighted epoch emissions.
/// @dev Finalization is O(1) however many epochs passed: work is only ever recorded in the current epoch, and
///      recording work in epoch e finalizes every epoch before e, so at most one unfinalized epoch (the one at
///      `_nextEpoch`) can hold fees; every later skipped epoch had none and adds its rate to the carry.
///
///      Emission of an epoch with fees F: `min(rate + carry, pool, F)`. A prover with fees f in it gets
///      `emission * f / F <= f`: emissions never exceed the fees, which the treasury keeps, so self-dealing
///      (posting tasks to oneself from other addresses) earns at most what it pays.
abstract contract RewardsLogic is MarketStorage {
    /// @notice Cap of the carry, in epochs of emission.
    uint256 public constant MAX_CARRY_EPOCHS = 4;

    /// @dev Credits `amount` to `account`'s claimable balance.
    function _credit(address account, uint256 amount) internal {
        if (amount != 0) _rewards[account].credit += uint128(amount);
    }

    /// @dev Records a fulfilment by `prover` in the current epoch: `price` is credited, `fee` weights its emission.
    function _recordWork(address prover, uint256 fee, uint256 price) internal {
        uint256 epoch = _epochNow();
        _finalizeBefore(epoch);
        RewardAccount memory account = _settled(prover);
        account.credit += uint128(price);
        account.workEpoch = uint32(epoch);
        account.workFees += uint96(fee);
        _rewards[prover] = account;
        _currentFees += uint128(fee);
    }

    /// @dev `prover`'s reward account with its share of a finalized epoch moved into its credit.
    function _settled(address prover) internal returns (RewardAccount memory account) {
        account = _rewards[prover];
        // Reason: `workFees` is an exact counter kept by this contract (no token balance); 0 means no pending work.
        // slither-disable-next-line incorrect-equality
        if (account.workFees == 0 || account.workEpoch >= _nextEpoch) return account;
        uint256 epoch = account.workEpoch;
        IRewards.Epoch storage e = _epochs[epoch];
        uint256 share = uint256(e.emission) * account.workFees / e.fees;
        e.settledFees += account.workFees;
        _epochPaid[epoch] += share;
        account.credit += uint128(share);
        account.workFees = 0;
        emit IRewards.EmissionSettled(prover, epoch, share);
    }

    /// @dev Finalizes every epoch before `epoch`. The one at `_nextEpoch` (the only one that can hold fees) gets
    ///      `min(rate + carry, pool, fees)` and its fees go to the treasury; every epoch without fees adds its
    ///      rate to the carry, capped at MAX_CARRY_EPOCHS times the rate. A scheduled rate takes over from its
    ///      epoch on.
    function _finalizeBefore(uint256 epoch) internal {
        uint256 next = _nextEpoch;
        if (next >= epoch) return;
        EmissionRate memory r = _rate;
        uint256 rateNext = _rateOf(r, next);
        uint256 carry = _carry;
        uint256 fees = _currentFees;
        if (fees != 0) {
            uint256 emission = rateNext + carry;
            if (emission > _pool) emission = _pool;
            if (emission > fees) emission = fees;
            _pool -= uint128(emission);
            _epochs[next] = IRewards.Epoch({fees: uint128(fees), settledFees: 0, emission: uint128(emission)});
            _currentFees = 0;
            _credit(_treasury, fees);
            carry = 0;
            emit IRewards.EpochFinalized(next, fees, emission);
        } else {
            carry += rateNext;
            emit IRewards.EpochFinalized(next, 0, 0);
        }
        // Epochs next+1 .. epoch-1 had no work: each adds its rate.
        carry += _rateSum(r, next + 1, epoch);
        if (r.fromEpoch != 0 && r.fromEpoch <= epoch) {
            r.current = r.scheduled;
            r.scheduled = 0;
            r.fromEpoch = 0;
            _rate = r;
        }
        uint256 cap = MAX_CARRY_EPOCHS * r.current;
        _carry = uint128(carry > cap ? cap : carry);
        _nextEpoch = uint32(epoch);
    }

    /// @dev The rate that applies to epoch `e`.
    function _rateOf(EmissionRate memory r, uint256 e) internal pure returns (uint256) {
        return r.fromEpoch != 0 && e >= r.fromEpoch ? r.scheduled : r.current;
    }

    /// @dev Sum of the rates of epochs `lo` .. `hi - 1`.
    function _rateSum(EmissionRate memory r, uint256 lo, uint256 hi) private pure returns (uint256) {
        if (hi <= lo) return 0;
        // Reason: `fromEpoch == 0` is the "nothing scheduled" sentinel of this contract's own record.
        // slither-disable-next-line incorrect-equality
        if (r.fromEpoch == 0 || r.fromEpoch >= hi) return uint256(r.current) * (hi - lo);
        if (r.fromEpoch <= lo) return uint256(r.scheduled) * (hi - lo);
        return uint256(r.current) * (r.fromEpoch - lo) + uint256(r.scheduled) * (hi - r.fromEpoch);
    }
}
