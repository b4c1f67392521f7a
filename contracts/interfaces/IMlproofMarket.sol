// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IMarketGovernance} from "./IMarketGovernance.sol";
import {IRewards} from "./IRewards.sol";
import {IStaking} from "./IStaking.sol";
import {ITaskMarket} from "./ITaskMarket.sol";
import {IVerifiedOutputs} from "./IVerifiedOutputs.sol";

/// @title IMlproofMarket
/// @notice The whole interface of a deployed MlproofMarket: the hot paths it implements itself and the rest,
///         which it serves through its extension (`MarketExtension`), behind one address.
interface IMlproofMarket is ITaskMarket, IStaking, IRewards, IMarketGovernance, IVerifiedOutputs, IAccessControl {
    /// @notice The extension contract this market delegates its other functions to.
    function extension() external view returns (address);
    /// @notice The admin role (OpenZeppelin AccessControl).
    function DEFAULT_ADMIN_ROLE() external view returns (bytes32);
    /// @notice ERC-165 (IAccessControl and IERC165).
    function supportsInterface(bytes4 interfaceId) external view returns (bool);
}
