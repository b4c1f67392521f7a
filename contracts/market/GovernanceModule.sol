// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IMarketGovernance} from "../interfaces/IMarketGovernance.sol";
import {IRewards} from "../interfaces/IRewards.sol";
import {MarketStorage} from "./MarketStorage.sol";
import {RewardsLogic} from "./RewardsLogic.sol";

/// @title GovernanceModule
/// @notice Roles, bounded parameters, the emission rate and the pause of the market (see IMarketGovernance).
/// @dev MarketStorage precedes AccessControl in the inheritance list, so the market's layout comes first and the
///      role table after it, in the market's storage (this code runs by delegatecall).
abstract contract GovernanceModule is MarketStorage, RewardsLogic, AccessControl {
    /// @notice Role allowed to set emissions and the treasury.
    bytes32 public constant TREASURY_ROLE = keccak256("TREASURY_ROLE");
    /// @notice Role allowed to pause.
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");

    /// @notice Bound on token-amount parameters (1e9 tokens of 18 decimals).
    uint256 public constant MAX_AMOUNT = 1e27;
    /// @notice Bound on the unbonding delay.
    uint256 public constant MAX_UNBONDING_DELAY = 90 days;
    /// @notice Bound on a task's duration.
    uint256 public constant MAX_TASK_DURATION = 30 days;
    /// @notice Bound on the emission per epoch.
    uint256 public constant MAX_EMISSION_PER_EPOCH = 1e25;
    /// @notice Bound on the protocol fee, in basis points.
    uint256 public constant MAX_FEE_BPS = 2_000;
    /// @notice Longest pause only the admin or a pauser may lift; after it anyone may.
    uint256 public constant MAX_PAUSE = 14 days;
    /// @notice Least unpaused time between two pauses, so pauses cannot be chained past MAX_PAUSE.
    uint256 public constant PAUSE_COOLDOWN = 3 days;

    /// @notice Sets all market parameters at once (admin). Each is checked against its bound.
    function setParams(IMarketGovernance.Params calldata newParams) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setParams(newParams);
    }

    /// @notice Sets the emission rate from the next epoch on (treasury role).
    /// @dev Finalizes ended epochs first; the running epoch keeps the rate it started with.
    function setEmissionPerEpoch(uint256 amount) external onlyRole(TREASURY_ROLE) {
        _bound("emissionPerEpoch", amount, MAX_EMISSION_PER_EPOCH);
        uint256 epoch = _epochNow();
        _finalizeBefore(epoch);
        EmissionRate memory r = _rate;
        emit IMarketGovernance.ParameterChanged("emissionPerEpoch", _rateOf(r, epoch + 1), amount);
        r.scheduled = uint96(amount);
        r.fromEpoch = uint32(epoch + 1);
        _rate = r;
        emit IRewards.EmissionRateScheduled(amount, epoch + 1);
    }

    /// @notice Sets the treasury address (treasury role).
    function setTreasury(address newTreasury) external onlyRole(TREASURY_ROLE) {
        if (newTreasury == address(0)) revert IMarketGovernance.MarketGovernanceZeroTreasury();
        // Fees of an ended epoch belong to the treasury in office when it ended.
        _finalizeBefore(_epochNow());
        emit IMarketGovernance.TreasuryChanged(_treasury, newTreasury);
        _treasury = newTreasury;
    }

    /// @notice Pauses the market (pauser role); see IMarketGovernance.pause.
    function pause() external onlyRole(PAUSER_ROLE) {
        _requireNotPaused();
        uint256 last = _unpausedAt;
        if (last != 0 && block.timestamp < last + PAUSE_COOLDOWN) {
            revert IMarketGovernance.MarketGovernancePauseCooldown(last + PAUSE_COOLDOWN);
        }
        _paused = true;
        _pausedAt = uint32(block.timestamp);
        emit IMarketGovernance.Paused(msg.sender);
    }

    /// @notice Lifts the pause: the admin or a pauser at any time, anyone after MAX_PAUSE.
    function unpause() external {
        if (!_paused) revert IMarketGovernance.ExpectedPause();
        uint256 liftableAt = uint256(_pausedAt) + MAX_PAUSE;
        if (
            block.timestamp < liftableAt && !hasRole(PAUSER_ROLE, msg.sender)
                && !hasRole(DEFAULT_ADMIN_ROLE, msg.sender)
        ) revert IMarketGovernance.MarketGovernancePauseNotExpired(liftableAt);
        uint256 duration = block.timestamp - _pausedAt;
        _pausedSeconds += uint32(duration);
        _paused = false;
        _pausedAt = 0;
        _unpausedAt = uint32(block.timestamp);
        emit IMarketGovernance.Unpaused(msg.sender, duration);
    }

    /// @notice Whether the market is paused.
    function paused() external view returns (bool) {
        return _paused;
    }

    /// @notice Total seconds spent paused, the current pause included.
    function pauseClock() external view returns (uint256) {
        return _pauseClockNow();
    }

    /// @notice Current market parameters.
    function params() external view returns (IMarketGovernance.Params memory) {
        return _params;
    }

    /// @notice Where slash shares and protocol fees are credited.
    function treasury() external view returns (address) {
        return _treasury;
    }

    /// @notice The model registry tasks are checked against.
    function registry() external view returns (address) {
        return address(_registry);
    }

    function _setParams(IMarketGovernance.Params memory p) internal {
        IMarketGovernance.Params memory old = _params;
        _bound("minStake", p.minStake, MAX_AMOUNT);
        _bound("minBounty", p.minBounty, MAX_AMOUNT);
        _bound("minCollateral", p.minCollateral, MAX_AMOUNT);
        _bound("unbondingDelay", p.unbondingDelay, MAX_UNBONDING_DELAY);
        _bound("maxTaskDuration", p.maxTaskDuration, MAX_TASK_DURATION);
        _bound("minTaskDuration", p.minTaskDuration, p.maxTaskDuration == 0 ? 0 : p.maxTaskDuration - 1);
        _bound("slashBps", uint256(p.slashRequesterBps) + p.slashCallerBps + p.slashBurnBps, 10_000);
        _bound("protocolFeeBps", p.protocolFeeBps, MAX_FEE_BPS);
        _params = p;
        _changed("minStake", old.minStake, p.minStake);
        _changed("minBounty", old.minBounty, p.minBounty);
        _changed("minCollateral", old.minCollateral, p.minCollateral);
        _changed("unbondingDelay", old.unbondingDelay, p.unbondingDelay);
        _changed("minTaskDuration", old.minTaskDuration, p.minTaskDuration);
        _changed("maxTaskDuration", old.maxTaskDuration, p.maxTaskDuration);
        _changed("slashRequesterBps", old.slashRequesterBps, p.slashRequesterBps);
        _changed("slashCallerBps", old.slashCallerBps, p.slashCallerBps);
        _changed("slashBurnBps", old.slashBurnBps, p.slashBurnBps);
        _changed("protocolFeeBps", old.protocolFeeBps, p.protocolFeeBps);
    }

    function _bound(bytes32 name, uint256 value, uint256 max) internal pure {
        if (value > max) revert IMarketGovernance.MarketGovernanceOutOfBounds(name, value, max);
    }

    function _changed(bytes32 name, uint256 oldValue, uint256 newValue) private {
        if (oldValue != newValue) emit IMarketGovernance.ParameterChanged(name, oldValue, newValue);
    }
}
