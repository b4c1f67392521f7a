// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IMlproofToken
/// @notice The testnet ERC-20 used for stakes and rewards: an OpenZeppelin ERC20 plus owner minting.
/// @dev The ERC-20 functions themselves are OpenZeppelin's IERC20.
interface IMlproofToken {
    /// @notice Mints `amount` tokens to `to` (owner only).
    function mint(address to, uint256 amount) external;
}
