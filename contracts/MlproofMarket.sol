// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IMarketGovernance} from "./interfaces/IMarketGovernance.sol";
import {IModelRegistry} from "./interfaces/IModelRegistry.sol";
import {MarketStorage} from "./market/MarketStorage.sol";
import {TaskMarketModule} from "./market/TaskMarketModule.sol";

/// @title MlproofMarket
/// @notice The mlproof market: prover staking (StakingModule), tasks with bounties, collateral and slashing
///         (TaskMarketModule), verified outputs for dApps (IVerifiedOutputs), and epoch emissions with pull
///         payments (RewardsModule), under bounded governance.
/// @dev One contract so a fulfilment needs no cross-contract call besides the verifier; the modules are split by
///      responsibility into abstract contracts over one storage layout (MarketStorage).
contract MlproofMarket is IMarketGovernance, TaskMarketModule {
    /// @inheritdoc IMarketGovernance
    bytes32 public constant TREASURY_ROLE = keccak256("TREASURY_ROLE");

    /// @notice Bound on token-amount parameters (1e9 tokens of 18 decimals).
    uint256 public constant MAX_AMOUNT = 1e27;
    /// @notice Bound on the unbonding delay.
    uint256 public constant MAX_UNBONDING_DELAY = 90 days;
    /// @notice Bound on a task's duration.
    uint256 public constant MAX_TASK_DURATION = 30 days;
    /// @notice Bound on the emission per epoch.
    uint256 public constant MAX_EMISSION_PER_EPOCH = 1e25;

    /// @notice Deploys the market.
    /// @param token_ ERC-20 for stakes, bounties and emissions (a plain ERC-20: no fee on transfer, no rebasing).
    /// @param registry_ Model registry.
    /// @param epochLength_ Epoch length in seconds (at least 1).
    /// @param admin Admin; also granted the treasury role and set as treasury.
    /// @param adminDelay Delay of a two-step admin transfer.
    /// @param initialParams Initial parameters (checked like `setParams`).
    constructor(
        IERC20 token_,
        IModelRegistry registry_,
        uint256 epochLength_,
        address admin,
        uint48 adminDelay,
        Params memory initialParams
    ) MarketStorage(token_, registry_, epochLength_ == 0 ? 1 : epochLength_, admin, adminDelay) {
        _grantRole(TREASURY_ROLE, admin);
        _treasury = admin;
        _setParams(initialParams);
    }

    /// @inheritdoc IMarketGovernance
    function setParams(Params calldata newParams) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setParams(newParams);
    }

    /// @inheritdoc IMarketGovernance
    /// @dev Finalizes ended epochs first, so they are paid at the rate in force while they ran.
    function setEmissionPerEpoch(uint256 amount) external onlyRole(TREASURY_ROLE) {
        _bound("emissionPerEpoch", amount, MAX_EMISSION_PER_EPOCH);
        _finalizeBefore(_epochNow());
        emit ParameterChanged("emissionPerEpoch", _emissionPerEpoch, amount);
        _emissionPerEpoch = amount;
    }

    /// @inheritdoc IMarketGovernance
    function setTreasury(address newTreasury) external onlyRole(TREASURY_ROLE) {
        if (newTreasury == address(0)) revert MarketGovernanceZeroTreasury();
        emit TreasuryChanged(_treasury, newTreasury);
        _treasury = newTreasury;
    }

    /// @inheritdoc IMarketGovernance
    function pause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _pause();
    }

    /// @inheritdoc IMarketGovernance
    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }

    /// @inheritdoc IMarketGovernance
    function params() external view returns (Params memory) {
        return _params;
    }

    /// @inheritdoc IMarketGovernance
    function treasury() external view returns (address) {
        return _treasury;
    }

    /// @inheritdoc IMarketGovernance
    function registry() external view returns (address) {
        return address(_registry);
    }

    function _setParams(Params memory p) private {
        Params memory old = _params;
        _bound("minStake", p.minStake, MAX_AMOUNT);
        _bound("minBounty", p.minBounty, MAX_AMOUNT);
        _bound("minCollateral", p.minCollateral, MAX_AMOUNT);
        _bound("unbondingDelay", p.unbondingDelay, MAX_UNBONDING_DELAY);
        _bound("maxTaskDuration", p.maxTaskDuration, MAX_TASK_DURATION);
        _bound("minTaskDuration", p.minTaskDuration, p.maxTaskDuration == 0 ? 0 : p.maxTaskDuration - 1);
        _bound("slashBps", uint256(p.slashRequesterBps) + p.slashCallerBps + p.slashBurnBps, 10_000);
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
    }

    function _bound(bytes32 name, uint256 value, uint256 max) private pure {
        if (value > max) revert MarketGovernanceOutOfBounds(name, value, max);
    }

    function _changed(bytes32 name, uint256 oldValue, uint256 newValue) private {
        if (oldValue != newValue) emit ParameterChanged(name, oldValue, newValue);
    }
}
