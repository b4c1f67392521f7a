// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IMarketGovernance} from "../interfaces/IMarketGovernance.sol";
import {IModelRegistry} from "../interfaces/IModelRegistry.sol";
import {AccountsModule} from "./AccountsModule.sol";
import {GovernanceModule} from "./GovernanceModule.sol";
import {MarketStorage} from "./MarketStorage.sol";
import {TaskAdminModule} from "./TaskAdminModule.sol";

/// @title MarketExtension
/// @notice The part of the market off the hot paths (governance, slashing, cancellation, outbids, exits,
///         settlement and views). `MlproofMarket` deploys it in its constructor and delegates to it every
///         selector it does not implement itself, so it always runs on the market's storage, with the market's
///         immutables (passed to this constructor).
/// @dev Called directly, it works on its own, empty storage (initialized as done, so no one can take its roles)
///      and holds no funds: nothing there is anyone's.
contract MarketExtension is MarketStorage, TaskAdminModule, AccountsModule, GovernanceModule {
    /// @param token_ The market's token.
    /// @param registry_ The market's registry.
    /// @param genesis_ The market's epoch 0 start.
    /// @param epochLength_ The market's epoch length.
    constructor(IERC20 token_, IModelRegistry registry_, uint256 genesis_, uint256 epochLength_)
        MarketStorage(token_, registry_, genesis_, epochLength_)
    {
        _initialized = true;
    }

    /// @notice Sets up roles, treasury, parameters and emission rate of the market; runs once, by delegatecall
    ///         from the market's constructor.
    function initialize(address admin, IMarketGovernance.Params calldata initialParams, uint256 initialRate)
        external
    {
        if (_initialized) revert IMarketGovernance.MarketGovernanceAlreadyInitialized();
        _initialized = true;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(TREASURY_ROLE, admin);
        _grantRole(PAUSER_ROLE, admin);
        _treasury = admin;
        _setParams(initialParams);
        _bound("emissionPerEpoch", initialRate, MAX_EMISSION_PER_EPOCH);
        _rate.current = uint96(initialRate);
        emit IMarketGovernance.ParameterChanged("emissionPerEpoch", 0, initialRate);
    }
}
