// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Staking} from "../../contracts/Staking.sol";
import {MlproofToken} from "../../contracts/token/MlproofToken.sol";
import {StakingHandler} from "./handlers/StakingHandler.sol";

/// @notice Staking conserves tokens: what it holds covers every stake, and per-account balances sum to the total.
contract StakingInvariantTest is Test {
    MlproofToken internal token;
    Staking internal staking;
    StakingHandler internal handler;

    function setUp() public {
        token = new MlproofToken(address(this));
        staking = new Staking(IERC20(address(token)), 100e18, 7 days, address(this));
        handler = new StakingHandler(staking, token);
        token.transferOwnership(address(handler));
        vm.prank(address(handler));
        token.acceptOwnership();
        staking.transferOwnership(address(handler));
        vm.prank(address(handler));
        staking.acceptOwnership();
        targetContract(address(handler));
    }

    /// @dev token.balanceOf(staking) >= totalStaked == sum of ghost active + unbonding stakes.
    function invariant_BalanceCoversTotalAndTotalMatchesGhostSum() public view {
        address[] memory actors = handler.actors();
        uint256 sum;
        for (uint256 i; i < actors.length; ++i) {
            uint256 active = staking.stakeOf(actors[i]);
            (uint256 unbonding,) = staking.unbondingOf(actors[i]);
            assertEq(active, handler.ghostActive(actors[i]), "active stake");
            assertEq(unbonding, handler.ghostUnbonding(actors[i]), "unbonding stake");
            sum += active + unbonding;
        }
        assertEq(staking.totalStaked(), sum, "totalStaked != sum of stakes");
        assertEq(staking.totalStaked(), handler.ghostStaked() - handler.ghostWithdrawn(), "staked - withdrawn");
        assertGe(token.balanceOf(address(staking)), staking.totalStaked(), "balance < totalStaked");
        assertEq(
            token.balanceOf(address(staking)), staking.totalStaked() + handler.ghostDonated(), "donations only excess"
        );
    }
}
