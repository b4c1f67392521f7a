// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {Deploy} from "../script/Deploy.s.sol";

contract DeployTest is Test {
    // anvil's first well-known development key (public test key, never holds real funds).
    uint256 internal constant KEY = 0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80;

    function test_Run_DeploysAndWires() public {
        vm.setEnv("PRIVATE_KEY", vm.toString(bytes32(KEY)));
        vm.setEnv("MIN_STAKE", "5");
        vm.setEnv("UNBONDING_DELAY", "3600");
        vm.setEnv("REWARD_PER_PROOF", "7");
        Deploy.Deployment memory d = new Deploy().run();
        address deployer = vm.addr(KEY);

        assertEq(d.token.owner(), deployer);
        assertEq(d.staking.owner(), deployer);
        assertEq(d.hub.owner(), deployer);
        assertEq(d.staking.token(), address(d.token));
        assertEq(d.staking.minStake(), 5);
        assertEq(d.staking.unbondingDelay(), 3600);
        assertEq(address(d.hub.registry()), address(d.registry));
        assertEq(address(d.hub.staking()), address(d.staking));
        assertEq(address(d.hub.rewardToken()), address(d.token));
        assertEq(d.hub.rewardPerProof(), 7);
        assertEq(d.registry.modelCount(), 0);
    }
}
