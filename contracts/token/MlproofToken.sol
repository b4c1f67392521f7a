// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IMlproofToken} from "../interfaces/IMlproofToken.sol";

/// @title MlproofToken
/// @notice Testnet ERC-20 used for prover stakes and proof rewards. The owner may mint freely:
///         this token has no economic value and must not be used on a production network.
contract MlproofToken is ERC20, Ownable2Step, IMlproofToken {
    /// @notice Deploys the token with no initial supply.
    /// @param initialOwner Account allowed to mint (ownership transfers in two steps).
    constructor(address initialOwner) ERC20("mlproof test token", "MLP") Ownable(initialOwner) {}

    /// @inheritdoc IMlproofToken
    /// @dev Owner only. Reverts with ERC20InvalidReceiver for the zero address.
    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }
}
