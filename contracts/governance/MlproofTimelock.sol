// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @title MlproofTimelock
/// @notice The governance delay of an mlproof deployment: OpenZeppelin's TimelockController holding the market's
///         admin and treasury roles. Every parameter change, emission change, treasury change and role grant is
///         scheduled in public (CallScheduled) and can run only `minDelay` seconds later (CallExecuted), so provers
///         see it coming and can leave first (unbonding never depends on governance).
/// @dev `proposer` proposes, executes and may cancel a scheduled call; the timelock administers itself (no
///      separate admin), so changing proposers also goes through the delay.
contract MlproofTimelock is TimelockController {
    /// @param minDelay Minimum delay of every operation, in seconds.
    /// @param proposer The single proposer, canceller and executor (a multisig on a public network).
    constructor(uint256 minDelay, address proposer)
        TimelockController(minDelay, _one(proposer), _one(proposer), address(0))
    {}

    function _one(address a) private pure returns (address[] memory list) {
        list = new address[](1);
        list[0] = a;
    }
}
