// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {MlproofToken} from "../contracts/token/MlproofToken.sol";

contract MlproofTokenTest is Test {
    MlproofToken internal token;
    address internal owner = makeAddr("owner");
    address internal alice = makeAddr("alice");

    function setUp() public {
        token = new MlproofToken(owner);
    }

    function test_Metadata() public view {
        assertEq(token.name(), "mlproof test token");
        assertEq(token.symbol(), "MLP");
        assertEq(token.decimals(), 18);
        assertEq(token.totalSupply(), 0);
        assertEq(token.owner(), owner);
    }

    function testFuzz_Mint_ByOwner(address to, uint256 amount) public {
        vm.assume(to != address(0));
        vm.prank(owner);
        token.mint(to, amount);
        assertEq(token.balanceOf(to), amount);
        assertEq(token.totalSupply(), amount);
    }

    function test_RevertWhen_Mint_NotOwner() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, alice));
        vm.prank(alice);
        token.mint(alice, 1);
    }

    function test_TransferOwnership_TwoStep() public {
        vm.prank(owner);
        token.transferOwnership(alice);
        assertEq(token.owner(), owner);
        assertEq(token.pendingOwner(), alice);
        vm.prank(alice);
        token.acceptOwnership();
        assertEq(token.owner(), alice);
        vm.prank(alice);
        token.mint(alice, 5);
        assertEq(token.balanceOf(alice), 5);
    }
}
