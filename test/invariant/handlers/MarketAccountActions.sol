// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarketGovernance} from "../../../contracts/interfaces/IMarketGovernance.sol";
import {IRewards} from "../../../contracts/interfaces/IRewards.sol";
import {IStaking} from "../../../contracts/interfaces/IStaking.sol";
import {MarketHandlerBase} from "./MarketHandlerBase.sol";

/// @notice Fuzzed staking and reward actions: stake, unbond, withdraw (open whether paused or not, with locks or
///         overdue locks), fund emissions, claim, settle, finalize and recycle dust.
abstract contract MarketAccountActions is MarketHandlerBase {
    uint256 internal constant A_STAKE = 9;
    uint256 internal constant A_UNSTAKE = 10;
    uint256 internal constant A_WITHDRAW = 11;
    uint256 internal constant A_FUND = 12;
    uint256 internal constant A_CLAIM = 13;
    uint256 internal constant A_SETTLE = 14;
    uint256 internal constant A_FINALIZE = 15;
    uint256 internal constant A_RECYCLE = 16;

    /// @notice A prover (or the self-dealer) stakes a bounded amount; refused while paused.
    function stake(uint256 proverSeed, uint256 amount) public {
        _begin(A_STAKE);
        address p = _staker(proverSeed);
        amount = _bound(amount, 1, 300e18);
        if (ghostPaused) {
            _mint(p, amount);
            vm.prank(p);
            try market.stake(amount) {
                _violation("staked while paused");
            } catch (bytes memory err) {
                _expectError(err, IMarketGovernance.EnforcedPause.selector, "stake while paused");
            }
            return;
        }
        _stake(p, amount);
        _ok(A_STAKE);
    }

    /// @notice (h) A prover moves part or all of its free stake to unbonding, whatever its locks and whether or not
    ///         the market is paused; more than the free stake must fail.
    function requestUnstake(uint256 proverSeed, uint256 amount) external {
        _begin(A_UNSTAKE);
        address p = _staker(proverSeed);
        IStaking.Account memory a = market.accountOf(p);
        uint256 free = a.active - a.locked;
        if (a.locked != 0 && amount % 4 == 0) {
            vm.prank(p);
            try market.requestUnstake(free + _bound(amount, 1, a.locked)) {
                _violation("unstaked locked collateral");
            } catch (bytes memory err) {
                _expectError(err, IStaking.StakingInsufficientFreeStake.selector, "unstake locked");
            }
            return;
        }
        if (free == 0) return;
        amount = amount % 3 == 0 ? free : _bound(amount, 1, free);
        (uint256 unbondingBefore,) = market.unbondingOf(p);
        vm.prank(p);
        try market.requestUnstake(amount) {}
        catch (bytes memory err) {
            _property(3, string.concat("free stake refused for unbonding: ", vm.toString(err)));
            vm.getRecordedLogs();
            return;
        }
        vm.getRecordedLogs();
        (uint256 unbonding, uint64 releaseAt) = market.unbondingOf(p);
        IStaking.Account memory b = market.accountOf(p);
        if (b.locked != a.locked || b.active != a.active - amount) _violation("requestUnstake touched collateral");
        if (unbonding != unbondingBefore + amount || releaseAt != block.timestamp + market.unbondingDelay()) {
            _violation("unbonding amount or release time");
        }
        _ok(A_UNSTAKE);
    }

    /// @notice A prover withdraws its unbonded stake, usually after warping to the release time (paused or not);
    ///         before it, or with nothing unbonding, it must fail.
    function withdraw(uint256 proverSeed, uint256 warpSeed) external {
        _begin(A_WITHDRAW);
        address p = _staker(proverSeed);
        (uint256 amount, uint64 releaseAt) = market.unbondingOf(p);
        bytes4 expected;
        if (amount == 0) expected = IStaking.StakingNothingToWithdraw.selector;
        else if (block.timestamp < releaseAt && warpSeed % 3 == 0) expected = IStaking.StakingStillUnbonding.selector;
        else if (block.timestamp < releaseAt) vm.warp(uint256(releaseAt) + _bound(warpSeed, 0, 1 days));
        uint256 balanceBefore = token.balanceOf(p);
        vm.prank(p);
        try market.withdraw() returns (uint256 out) {
            if (expected != bytes4(0)) return _violation("withdraw should have reverted");
            if (out != amount || token.balanceOf(p) - balanceBefore != amount) _violation("withdraw amount");
        } catch (bytes memory err) {
            if (expected != bytes4(0)) return _expectError(err, expected, "withdraw");
            _property(3, string.concat("unbonded stake refused for withdrawal: ", vm.toString(err)));
            vm.getRecordedLogs();
            return;
        }
        vm.getRecordedLogs();
        ghostStakedOut += amount;
        ghostWithdrawnBy[p] += amount;
        _ok(A_WITHDRAW);
    }

    /// @notice The funder adds to the emission pool.
    function fundEmissions(uint256 amount) public {
        _begin(A_FUND);
        amount = _bound(amount, 1, 500e18);
        token.mint(funder, amount);
        vm.prank(funder);
        try market.fundEmissions(amount) {}
        catch (bytes memory err) {
            return _unexpected("fundEmissions", err);
        }
        ghostFunded += amount;
        _sync();
        _ok(A_FUND);
    }

    /// @notice An account (often one with something to claim) claims: it gets exactly `claimable`, then 0.
    function claim(uint256 accountSeed) external {
        _begin(A_CLAIM);
        address a = _account(accountSeed);
        uint256 expected = market.claimable(a);
        for (uint256 k = 1; expected == 0 && accountSeed % 4 != 0 && k < _accounts.length; ++k) {
            address b = _account(accountSeed % _accounts.length + k);
            uint256 c = market.claimable(b);
            if (c != 0) (a, expected) = (b, c);
        }
        if (expected == 0) {
            vm.prank(a);
            try market.claim() {
                _violation("claimed with nothing claimable");
            } catch (bytes memory err) {
                _expectError(err, IRewards.RewardsNothingToClaim.selector, "empty claim");
            }
            return;
        }
        if (_claim(a, expected)) _ok(A_CLAIM);
    }

    /// @notice Anyone settles an account's emission share; `claimable` must not change.
    function settle(uint256 accountSeed) external {
        _begin(A_SETTLE);
        address a = _account(accountSeed);
        uint256 before = market.claimable(a);
        vm.prank(keeper);
        try market.settle(a) {}
        catch (bytes memory err) {
            return _unexpected("settle", err);
        }
        _sync();
        if (market.claimable(a) != before) _violation("settle changed claimable");
        _ok(A_SETTLE);
    }

    /// @notice Anyone finalizes ended epochs; the treasury's `claimable` must not change.
    function finalizeEpochs() external {
        _begin(A_FINALIZE);
        uint256 treasuryBefore = market.claimable(admin);
        vm.prank(keeper);
        try market.finalizeEpochs() {}
        catch (bytes memory err) {
            return _unexpected("finalizeEpochs", err);
        }
        _sync();
        if (ghostNextEpoch != market.currentEpoch()) _violation("finalizeEpochs left an ended epoch");
        if (market.claimable(admin) != treasuryBefore) _violation("finalizing changed the treasury's claimable");
        _ok(A_FINALIZE);
    }

    /// @notice Recycles the dust of a fully settled epoch (sometimes settling everyone first); an unfinalized or
    ///         partly settled epoch must fail.
    function recycleDust(uint256 epochSeed) external {
        _begin(A_RECYCLE);
        uint256 e;
        uint256 pick = epochSeed % 4;
        if (_workEpochs.length == 0 || pick == 0) e = ghostNextEpoch + _bound(epochSeed, 0, 3);
        else if (pick == 1 && ghostNextEpoch != 0) e = epochSeed % ghostNextEpoch;
        else e = _workEpochs[epochSeed % _workEpochs.length];
        IRewards.Epoch memory info = market.epochInfo(e);
        if (pick == 3 && e < ghostNextEpoch && info.settledFees != info.fees) {
            for (uint256 k; k < _accounts.length; ++k) {
                vm.prank(keeper);
                try market.settle(_accounts[k]) {}
                catch (bytes memory err) {
                    return _unexpected("settle", err);
                }
                _sync();
            }
            info = market.epochInfo(e);
        }
        bool recyclable = e < ghostNextEpoch && info.fees != 0 && info.settledFees == info.fees;
        vm.prank(keeper);
        try market.recycleDust(e) {
            if (!recyclable) return _violation("recycled an unsettled epoch");
        } catch (bytes memory err) {
            if (!recyclable) return _expectError(err, IRewards.RewardsEpochNotSettled.selector, "recycle");
            return _unexpected("recycleDust", err);
        }
        _sync();
        _ok(A_RECYCLE);
    }

    // ------------------------------------------------------------------ helpers

    /// @dev An honest prover, or (one time in n + 1) the self-dealer.
    function _staker(uint256 seed) internal view returns (address) {
        uint256 k = seed % (_provers.length + 1);
        return k == _provers.length ? sybilProver : _provers[k];
    }

    function _claim(address a, uint256 expected) internal returns (bool) {
        uint256 balanceBefore = token.balanceOf(a);
        vm.prank(a);
        uint256 amount;
        try market.claim() returns (uint256 paid) {
            amount = paid;
        } catch (bytes memory err) {
            _unexpected("claim", err);
            return false;
        }
        _sync();
        if (amount != expected) _violation("claim != claimable");
        if (token.balanceOf(a) - balanceBefore != amount) _violation("claim transfer");
        if (market.claimable(a) != 0) _violation("claimable after claim");
        return true;
    }
}
