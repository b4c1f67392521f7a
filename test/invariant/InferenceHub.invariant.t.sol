// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {InferenceHub} from "../../contracts/InferenceHub.sol";
import {HubTestBase} from "../utils/HubTestBase.sol";
import {MockGroth16Verifier} from "../utils/MockGroth16Verifier.sol";
import {InferenceHubHandler} from "./handlers/InferenceHubHandler.sol";

/// @notice The hub's reward accounting is conserved: funded = unallocated + unclaimed + paid, and the hub
///         always holds at least what it owes.
contract InferenceHubInvariantTest is HubTestBase {
    InferenceHubHandler internal handler;

    function setUp() public {
        _deployCore();
        MockGroth16Verifier verifier = new MockGroth16Verifier(5);
        uint256 modelId = registry.registerModel(address(verifier), keccak256("model"), 3, 1);
        address[] memory actors = new address[](3);
        for (uint256 i; i < actors.length; ++i) {
            actors[i] = makeAddr(string.concat("prover", vm.toString(i)));
            _stakeFor(actors[i], MIN_STAKE);
        }
        handler = new InferenceHubHandler(hub, token, modelId, actors);
        token.transferOwnership(address(handler));
        vm.prank(address(handler));
        token.acceptOwnership();
        vm.prank(owner);
        hub.transferOwnership(address(handler));
        vm.prank(address(handler));
        hub.acceptOwnership();
        targetContract(address(handler));
    }

    function _sumRewards() internal view returns (uint256 sum) {
        address[] memory actors = handler.actors();
        for (uint256 i; i < actors.length; ++i) {
            sum += hub.rewardOf(actors[i]);
        }
    }

    /// @dev hub balance >= unallocated + sum of unclaimed rewards (exactly equal up to donations).
    function invariant_BalanceCoversLiabilities() public view {
        uint256 owed = hub.unallocatedRewards() + _sumRewards();
        assertGe(token.balanceOf(address(hub)), owed, "balance < liabilities");
        assertEq(token.balanceOf(address(hub)), owed + handler.ghostDonated(), "balance != liabilities + donations");
    }

    /// @dev paid <= funded, and every funded token is unallocated, credited-unclaimed or paid.
    function invariant_RewardsConserved() public view {
        assertLe(handler.ghostClaimed(), handler.ghostFunded(), "paid > funded");
        assertEq(
            hub.unallocatedRewards() + _sumRewards() + handler.ghostClaimed(), handler.ghostFunded(), "conservation"
        );
        assertEq(handler.ghostCredited(), _sumRewards() + handler.ghostClaimed(), "credited = unclaimed + paid");
    }
}
