// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarketGovernance} from "../contracts/interfaces/IMarketGovernance.sol";
import {ITaskMarket} from "../contracts/interfaces/ITaskMarket.sol";
import {MarketTestBase} from "./utils/MarketTestBase.sol";
import {MockGroth16Verifier} from "./utils/MockGroth16Verifier.sol";

/// @notice Regressions for two attacks found in review of the issue-14 market: an outbid that undercuts a pending
///         fulfil (its price ramp starting at the minimum bounty), and pauses chained past MAX_PAUSE.
contract MarketReviewTest is MarketTestBase {
    address internal prover = makeAddr("prover");
    address internal sybil = makeAddr("sybil");
    MockGroth16Verifier internal verifier;
    uint256 internal modelId;

    function setUp() public {
        _deployCore();
        (modelId, verifier) = _registerMock(1, 1);
        _stakeFor(prover, MIN_STAKE);
    }

    function test_Outbid_CannotUndercutPendingFulfil() public {
        uint256 bounty = 100e18;
        (ITaskMarket.Task memory open, bytes32 id) =
            _postWith(requester, modelId, _words(7), bounty, COLLATERAL, block.timestamp + 1 days);

        // The prover's fulfil of `open` is in the mempool; the requester's sybil front-runs it.
        ITaskMarket.Offer memory offer = ITaskMarket.Offer({
            minPrice: MIN_BOUNTY,
            bounty: bounty + bounty / 10,
            rampDelay: 12 hours,
            rampPeriod: 1 hours,
            collateral: MIN_COLLATERAL,
            deadline: block.timestamp + 1 days
        });
        uint256 escrow = offer.bounty + market.feeFor(offer.bounty);
        token.mint(sybil, escrow);
        vm.startPrank(sybil);
        token.approve(address(market), escrow);
        ITaskMarket.Task memory replaced =
            _task(sybil, modelId, _words(7), offer.bounty, offer.collateral, offer.deadline);
        replaced.minPrice = uint96(offer.minPrice);
        replaced.rampStart = uint32(block.timestamp + offer.rampDelay);
        replaced.rampEnd = uint32(block.timestamp + offer.rampDelay + offer.rampPeriod);
        // The undercutting ramp is refused: every price of an outbid must beat the open bounty by 10 %.
        uint256 needed = bounty + bounty / 10;
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketOutbidTooLow.selector, MIN_BOUNTY, needed));
        market.outbidTask(open, offer, "");
        // A genuine outbid (its lowest price 10 % above the open bounty) goes through.
        offer.minPrice = needed;
        replaced.minPrice = uint96(needed);
        market.outbidTask(open, offer, "");
        vm.stopPrank();
        assertEq(market.claimable(requester), bounty + open.fee, "requester refunded in full");

        // The pending fulfil now fails; the prover resubmits against the new task.
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketUnknownTask.selector, id));
        vm.prank(prover);
        market.fulfil(open, _words(1), _proof());
        vm.prank(prover);
        market.fulfil(replaced, _words(1), _proof());

        // Property: the prover is paid at least what the replaced task offered at that moment.
        assertGe(market.claimable(prover), bounty, "outbid undercut the pending fulfil");
    }

    /// @dev MAX_PAUSE bounds how long the market stays paused: once a pause is lifted, a new one needs
    ///      PAUSE_COOLDOWN of unpaused time.
    function test_Pause_PauserCannotChainPausesPastMaxPause() public {
        vm.prank(admin);
        market.pause();
        vm.warp(block.timestamp + market.MAX_PAUSE());
        vm.prank(requester);
        market.unpause();
        vm.prank(admin);
        (bool repaused,) = address(market).call(abi.encodeWithSignature("pause()"));
        assertFalse(repaused, "the pauser re-paused at once after MAX_PAUSE");
        vm.warp(block.timestamp + market.PAUSE_COOLDOWN() - 1);
        vm.expectRevert(
            abi.encodeWithSelector(IMarketGovernance.MarketGovernancePauseCooldown.selector, block.timestamp + 1)
        );
        vm.prank(admin);
        market.pause();
        vm.warp(block.timestamp + 1);
        vm.prank(admin);
        market.pause();
        assertTrue(market.paused());
    }
}
