// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {Deploy} from "../script/Deploy.s.sol";
import {IMarketGovernance} from "../contracts/interfaces/IMarketGovernance.sol";
import {IMlproofMarket} from "../contracts/interfaces/IMlproofMarket.sol";

contract DeployTest is Test {
    // anvil's first well-known development key (public test key, never holds real funds).
    uint256 internal constant KEY = 0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80;
    uint256 internal constant GOVERNANCE_DELAY = 3 days;

    /// @dev One test: environment variables are process-wide, so every case that sets them runs here in turn.
    function test_Run_DeploysAndWires() public {
        vm.setEnv("PRIVATE_KEY", vm.toString(bytes32(KEY)));
        vm.setEnv("MIN_STAKE", "5");
        vm.setEnv("UNBONDING_DELAY", "3600");
        vm.setEnv("EPOCH_LENGTH", "600");
        vm.setEnv("EMISSION_PER_EPOCH", "7");
        vm.setEnv("GOVERNANCE_DELAY", vm.toString(GOVERNANCE_DELAY));
        Deploy.Deployment memory d = new Deploy().run();
        address deployer = vm.addr(KEY);

        assertEq(d.market.token(), address(d.token));
        assertEq(d.market.registry(), address(d.registry));
        assertEq(d.market.minStake(), 5);
        assertEq(d.market.unbondingDelay(), 3600);
        assertEq(d.market.epochLength(), 600);
        assertEq(d.market.emissionPerEpoch(), 7);
        assertEq(d.registry.defaultAdmin(), deployer);
        assertTrue(d.registry.hasRole(d.registry.REGISTRAR_ROLE(), deployer));
        assertEq(d.registry.modelCount(), 0);
        _checkRoles(d.market, address(d.timelock), deployer);
        _checkTimelockedParamChange(d.market, d.timelock, deployer);

        // Environment variables are process-wide, so the failure case runs in the same test.
        vm.setEnv("MIN_STAKE", vm.toString(uint256(type(uint96).max) + 1));
        Deploy script = new Deploy();
        vm.expectRevert(bytes("amount does not fit uint96"));
        script.run();
        vm.setEnv("MIN_STAKE", "5");
    }

    /// @dev The timelock holds the admin and treasury roles and is the treasury; the deployer keeps only the
    ///      pauser role (and proposes to the timelock).
    function _checkRoles(IMlproofMarket market, address timelock, address deployer) internal {
        bytes32 adminRole = market.DEFAULT_ADMIN_ROLE();
        bytes32 treasuryRole = market.TREASURY_ROLE();
        bytes32 pauserRole = market.PAUSER_ROLE();
        assertEq(market.treasury(), timelock, "the timelock is the treasury");
        assertTrue(market.hasRole(adminRole, timelock), "timelock is admin");
        assertTrue(market.hasRole(treasuryRole, timelock), "timelock holds the treasury role");
        assertFalse(market.hasRole(pauserRole, timelock));
        assertFalse(market.hasRole(adminRole, deployer), "deployer gave up admin");
        assertFalse(market.hasRole(treasuryRole, deployer), "deployer gave up the treasury role");
        assertTrue(market.hasRole(pauserRole, deployer), "deployer keeps the pauser role");
        assertEq(TimelockController(payable(timelock)).getMinDelay(), GOVERNANCE_DELAY);
        assertTrue(TimelockController(payable(timelock)).hasRole(keccak256("PROPOSER_ROLE"), deployer));

        // The deployer can no longer change anything directly...
        IMarketGovernance.Params memory p = market.params();
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, deployer, adminRole)
        );
        vm.prank(deployer);
        market.setParams(p);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, deployer, treasuryRole)
        );
        vm.prank(deployer);
        market.setEmissionPerEpoch(1);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, deployer, adminRole)
        );
        vm.prank(deployer);
        market.grantRole(adminRole, deployer);
        // ...but can still pull the (bounded) emergency brake, and lift it.
        vm.prank(deployer);
        market.pause();
        assertTrue(market.paused());
        vm.prank(deployer);
        market.unpause();
        assertFalse(market.paused());
    }

    /// @dev A parameter change is scheduled on the timelock, cannot run before GOVERNANCE_DELAY, and runs after.
    function _checkTimelockedParamChange(IMlproofMarket market, TimelockController timelock, address deployer)
        internal
    {
        IMarketGovernance.Params memory p = market.params();
        p.minStake = 42;
        bytes memory call = abi.encodeCall(IMarketGovernance.setParams, (p));
        bytes32 salt = keccak256("raise minStake");
        bytes32 op = timelock.hashOperation(address(market), 0, call, bytes32(0), salt);

        // Shorter than the minimum delay: refused.
        vm.expectRevert(
            abi.encodeWithSelector(
                TimelockController.TimelockInsufficientDelay.selector, GOVERNANCE_DELAY - 1, GOVERNANCE_DELAY
            )
        );
        vm.prank(deployer);
        timelock.schedule(address(market), 0, call, bytes32(0), salt, GOVERNANCE_DELAY - 1);

        vm.prank(deployer);
        timelock.schedule(address(market), 0, call, bytes32(0), salt, GOVERNANCE_DELAY);
        assertTrue(timelock.isOperationPending(op));
        uint256 readyAt = block.timestamp + GOVERNANCE_DELAY;
        assertEq(timelock.getTimestamp(op), readyAt);

        // Executing early reverts (the operation is not Ready), one second early included.
        bytes32 readyState = bytes32(uint256(1) << uint8(TimelockController.OperationState.Ready));
        vm.expectRevert(
            abi.encodeWithSelector(TimelockController.TimelockUnexpectedOperationState.selector, op, readyState)
        );
        vm.prank(deployer);
        timelock.execute(address(market), 0, call, bytes32(0), salt);
        vm.warp(readyAt - 1);
        vm.expectRevert(
            abi.encodeWithSelector(TimelockController.TimelockUnexpectedOperationState.selector, op, readyState)
        );
        vm.prank(deployer);
        timelock.execute(address(market), 0, call, bytes32(0), salt);
        assertEq(market.minStake(), 5, "unchanged before the delay");

        vm.warp(readyAt);
        vm.expectEmit(true, false, false, true, address(market));
        emit IMarketGovernance.ParameterChanged("minStake", 5, 42);
        vm.prank(deployer);
        timelock.execute(address(market), 0, call, bytes32(0), salt);
        assertEq(market.minStake(), 42, "applied after the delay");
        assertTrue(timelock.isOperationDone(op));
    }
}
