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
        vm.setEnv("EPOCH_LENGTH", "600");
        vm.setEnv("EMISSION_PER_EPOCH", "7");
        Deploy.Deployment memory d = new Deploy().run();
        address deployer = vm.addr(KEY);

        assertEq(d.market.token(), address(d.token));
        assertEq(d.market.registry(), address(d.registry));
        assertEq(d.market.minStake(), 5);
        assertEq(d.market.unbondingDelay(), 3600);
        assertEq(d.market.epochLength(), 600);
        assertEq(d.market.emissionPerEpoch(), 7);
        assertEq(d.market.treasury(), deployer);
        assertEq(d.market.defaultAdmin(), deployer);
        assertTrue(d.market.hasRole(d.market.TREASURY_ROLE(), deployer));
        assertEq(d.registry.defaultAdmin(), deployer);
        assertTrue(d.registry.hasRole(d.registry.REGISTRAR_ROLE(), deployer));
        assertEq(d.registry.modelCount(), 0);

        // Environment variables are process-wide, so the failure case runs in the same test.
        vm.setEnv("MIN_STAKE", vm.toString(uint256(type(uint96).max) + 1));
        Deploy script = new Deploy();
        vm.expectRevert(bytes("amount does not fit uint96"));
        script.run();
        vm.setEnv("MIN_STAKE", "5");
    }
}
