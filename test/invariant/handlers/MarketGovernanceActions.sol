// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IMarketGovernance} from "../../../contracts/interfaces/IMarketGovernance.sol";
import {MarketHandlerBase} from "./MarketHandlerBase.sol";

/// @notice Fuzzed governance and time: pause (pauser), unpause (pauser, or anyone after MAX_PAUSE), slash terms and
///         protocol fee changed between actions, the emission rate (scheduled for the next epoch), warps within
///         and across epochs and to deadlines, and donations.
abstract contract MarketGovernanceActions is MarketHandlerBase {
    uint256 internal constant A_PAUSE = 17;
    uint256 internal constant A_UNPAUSE = 18;
    uint256 internal constant A_PARAMS = 19;
    uint256 internal constant A_RATE = 20;
    uint256 internal constant A_WARP = 21;
    uint256 internal constant A_WARP_EPOCHS = 22;
    uint256 internal constant A_WARP_DEADLINE = 23;
    uint256 internal constant A_DONATE = 24;

    /// @notice The pauser pauses (sometimes after waiting out the cooldown); a second pause, a pause within
    ///         PAUSE_COOLDOWN of the last one lifted, or a pause by a stranger must fail.
    function pause(uint256 seed) external {
        _begin(A_PAUSE);
        address caller = seed % 4 == 0 ? keeper : admin;
        if (seed % 3 == 0 && !ghostPaused && ghostUnpausedAt + PAUSE_COOLDOWN > block.timestamp) {
            vm.warp(ghostUnpausedAt + PAUSE_COOLDOWN - (seed >> 8) % 2);
        }
        bytes4 expected;
        if (caller != admin) expected = IAccessControl.AccessControlUnauthorizedAccount.selector;
        else if (ghostPaused) expected = IMarketGovernance.EnforcedPause.selector;
        else if (!_pauseAllowed()) expected = IMarketGovernance.MarketGovernancePauseCooldown.selector;
        vm.prank(caller);
        try market.pause() {}
        catch (bytes memory err) {
            if (expected != bytes4(0)) return _expectError(err, expected, "pause");
            return _unexpected("pause", err);
        }
        if (expected != bytes4(0)) return _violation("pause should have reverted");
        vm.getRecordedLogs();
        ghostPaused = true;
        ghostPausedAt = block.timestamp;
        _ok(A_PAUSE);
    }

    /// @notice The pauser lifts the pause, or a stranger does, which must fail before MAX_PAUSE has passed
    ///         (sometimes the stranger waits it out first).
    function unpause(uint256 seed) external {
        _begin(A_UNPAUSE);
        if (ghostPaused && seed % 4 == 1) vm.warp(ghostPausedAt + MAX_PAUSE + (seed >> 8) % 2);
        _unpause(seed % 2 == 0 ? admin : keeper);
    }

    /// @notice The admin changes the slash terms and the protocol fee (sometimes out of bounds, which must fail);
    ///         locks already taken keep the terms they were taken with, tasks already posted keep their fee.
    function setParams(uint256 seed) external {
        _begin(A_PARAMS);
        IMarketGovernance.Params memory p = market.params();
        uint256 requesterBps = seed % 10_001;
        uint256 callerBps = (seed >> 16) % (10_001 - requesterBps);
        uint256 burnBps = (seed >> 32) % (10_001 - requesterBps - callerBps);
        p.slashRequesterBps = uint16(requesterBps);
        p.slashCallerBps = uint16(callerBps);
        p.slashBurnBps = uint16(burnBps);
        p.protocolFeeBps = uint16((seed >> 48) % 2_001);
        bool bad = seed % 9 == 0;
        if (bad) {
            if ((seed >> 64) % 2 == 0) p.protocolFeeBps = uint16(2_001 + (seed >> 72) % 1000);
            else p.slashBurnBps = uint16(10_001 - requesterBps - callerBps);
        }
        vm.prank(admin);
        try market.setParams(p) {
            if (bad) return _violation("out-of-bounds params accepted");
        } catch (bytes memory err) {
            if (bad) return _expectError(err, IMarketGovernance.MarketGovernanceOutOfBounds.selector, "bad params");
            return _unexpected("setParams", err);
        }
        vm.getRecordedLogs();
        _ok(A_PARAMS);
    }

    /// @notice The treasury role schedules a new emission rate for the next epoch.
    function setEmissionPerEpoch(uint256 rate) public {
        _begin(A_RATE);
        rate = rate % 5 == 0 ? 0 : _bound(rate, 1, 40e18);
        uint256 e = market.currentEpoch();
        vm.prank(admin);
        try market.setEmissionPerEpoch(rate) {}
        catch (bytes memory err) {
            return _unexpected("setEmissionPerEpoch", err);
        }
        _sync();
        if (_rateFrom[_rateFrom.length - 1] == e + 1) {
            _rateVal[_rateVal.length - 1] = rate;
        } else {
            _rateFrom.push(e + 1);
            _rateVal.push(rate);
        }
        (uint256 scheduled, uint256 fromEpoch) = market.scheduledEmission();
        if (scheduled != rate || fromEpoch != e + 1) _violation("scheduledEmission");
        if (market.emissionPerEpoch() != _rateOf(e)) _violation("the rate of the running epoch changed");
        _ok(A_RATE);
    }

    /// @notice Warps within an epoch (sometimes lifting a pause first).
    function warp(uint256 seconds_) external {
        _begin(A_WARP);
        if (ghostPaused && seconds_ % 3 == 0) _unpause(admin);
        skip(_bound(seconds_, 1, 12 hours));
        _ok(A_WARP);
    }

    /// @notice Warps across one to three epochs (sometimes lifting a pause first).
    function warpEpochs(uint256 n) external {
        _begin(A_WARP_EPOCHS);
        if (ghostPaused && n % 2 == 0) _unpause(admin);
        skip(_bound(n, 1, 3) * market.epochLength() + n % 1 hours);
        _ok(A_WARP_EPOCHS);
    }

    /// @notice Warps to one second before, exactly at, or one second after an open task's effective deadline.
    function warpToDeadline(uint256 taskSeed, uint256 offset) external {
        _begin(A_WARP_DEADLINE);
        if (_open.length == 0) return;
        uint256 target = _effectiveDeadline(_open[taskSeed % _open.length]) + (offset % 3) - 1;
        if (target <= block.timestamp) return;
        vm.warp(target);
        _ok(A_WARP_DEADLINE);
    }

    /// @notice Sends tokens to the market directly (not through any entry point).
    function donate(uint256 amount) external {
        _begin(A_DONATE);
        amount = _bound(amount, 1, 100e18);
        token.mint(address(market), amount);
        ghostDonated += amount;
        _ok(A_DONATE);
    }

    /// @dev `caller` lifts the pause: the pauser always, anyone else only once MAX_PAUSE has passed.
    function _unpause(address caller) internal {
        bytes4 expected;
        if (!ghostPaused) {
            expected = IMarketGovernance.ExpectedPause.selector;
        } else if (caller != admin && block.timestamp < ghostPausedAt + MAX_PAUSE) {
            expected = IMarketGovernance.MarketGovernancePauseNotExpired.selector;
        }
        vm.prank(caller);
        try market.unpause() {}
        catch (bytes memory err) {
            if (expected != bytes4(0)) return _expectError(err, expected, "unpause");
            return _unexpected("unpause", err);
        }
        if (expected != bytes4(0)) return _violation("unpause should have reverted");
        vm.getRecordedLogs();
        ghostPausedSeconds += block.timestamp - ghostPausedAt;
        ghostPaused = false;
        ghostPausedAt = 0;
        ghostUnpausedAt = block.timestamp;
        if (market.pauseClock() != _pauseClock()) _violation("pause clock");
        _ok(A_UNPAUSE);
    }
}
