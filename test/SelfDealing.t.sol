// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IRewards} from "../contracts/interfaces/IRewards.sol";
import {ITaskMarket} from "../contracts/interfaces/ITaskMarket.sol";
import {MarketTestBase} from "./utils/MarketTestBase.sol";
import {MockGroth16Verifier} from "./utils/MockGroth16Verifier.sol";

/// @notice Issue 14, property 1: emissions cannot be farmed by self-dealing. A staked prover that posts tasks to
///         itself from any number of addresses, fulfils them and claims everything never gets back more tokens
///         than it put in (bounties, fees and stake): emissions are weighted by protocol fees, an epoch emits at
///         most its fees, and the fees go to the treasury. The carry of quiet epochs is capped, so no single task
///         collects a dump, and no epoch emits more than the pool holds.
/// @dev On the contracts before issue 14 (work-unit weights, no fee, uncapped carry) every one of these tests
///      fails: the self-dealer's emission share is pure profit, and one task after N quiet epochs takes N + 1
///      rates.
contract SelfDealingTest is MarketTestBase {
    uint256 internal constant ATTACKER_STAKE = 1_000e18;
    uint256 internal constant MAX_BOUNTY = 1_000e18;

    MockGroth16Verifier internal verifier;
    uint256 internal modelId;
    uint256 internal genesis;
    address internal attacker = makeAddr("attacker");
    address internal honest = makeAddr("honest");

    /// @dev The attacker's requester addresses (its own address is the last one).
    address[] internal sybils;
    uint256 private _nonce;
    uint256 private _seed;

    /// @dev Ghost sums of one run.
    uint256 internal tokensIn;
    uint256 internal attackerFees;
    uint256 internal honestBounties;
    uint256 internal honestFees;

    function setUp() public {
        _deployCore();
        (modelId, verifier) = _registerMock(1, 1);
    }

    // ------------------------------------------------------------------ helpers

    /// @dev A market at `rate` with `pool` funded, genesis now.
    function _useMarket(uint256 rate, uint256 pool) private {
        market = _newMarket(IERC20(address(token)), _defaultParams(), rate);
        genesis = block.timestamp;
        if (pool != 0) _fundEmissions(pool);
    }

    /// @dev The next pseudo-random number in [lo, hi], from the run's seed.
    function _rand(uint256 lo, uint256 hi) private returns (uint256) {
        _seed = uint256(keccak256(abi.encode(_seed)));
        return lo + _seed % (hi - lo + 1);
    }

    function _input() private returns (uint256[] memory) {
        return _words(++_nonce);
    }

    /// @dev One self-dealt task: a random sybil posts it (fixed price, or a ramp taken at its floor), the attacker
    ///      fulfils it (locking it first some of the time). Books what went in and the fee the attacker paid.
    function _selfDeal() private {
        address from = sybils[_rand(0, sybils.length - 1)];
        uint256 bounty = _rand(MIN_BOUNTY, MAX_BOUNTY);
        uint256 kind = _rand(0, 2);
        ITaskMarket.Task memory task;
        if (kind == 2) {
            ITaskMarket.Offer memory offer = ITaskMarket.Offer({
                minPrice: _rand(MIN_BOUNTY, bounty),
                bounty: bounty,
                rampDelay: uint32(_rand(0, 100)),
                rampPeriod: uint32(_rand(1, 1_000)),
                collateral: COLLATERAL,
                deadline: block.timestamp + 1 hours
            });
            (task,) = _postOffer(from, modelId, _input(), offer);
        } else {
            (task,) = _postWith(from, modelId, _input(), bounty, COLLATERAL, block.timestamp + 1 hours);
        }
        tokensIn += bounty + market.feeFor(bounty);
        attackerFees += market.feeAt(task, market.priceAt(task, block.timestamp));
        if (kind == 1) task = _lock(task, attacker);
        vm.prank(attacker);
        market.fulfil(task, _words(1), _proof());
    }

    /// @dev One honest task: a third party posts it, the honest prover fulfils it.
    function _honestTask() private {
        uint256 bounty = _rand(MIN_BOUNTY, MAX_BOUNTY);
        (ITaskMarket.Task memory task,) =
            _postWith(requester, modelId, _input(), bounty, COLLATERAL, block.timestamp + 1 hours);
        honestBounties += bounty;
        honestFees += task.fee;
        vm.prank(honest);
        market.fulfil(task, _words(1), _proof());
    }

    /// @dev Claims for `account` if it has anything; returns what it got.
    function _claimAll(address account) private returns (uint256) {
        if (market.claimable(account) == 0) return 0;
        vm.prank(account);
        return market.claim();
    }

    function _min(uint256 a, uint256 b) private pure returns (uint256) {
        return a < b ? a : b;
    }

    // ------------------------------------------------------------------ self-dealing

    /// @dev A staked prover with 1-20 sybil requesters (and itself) self-deals for 1-10 epochs at random: 0-4 tasks
    ///      an epoch (quiet epochs build carry), random bounties, fixed-price, locked or ramp tasks, with or
    ///      without an honest prover working beside it, at any rate and pool. Then it claims on every address and
    ///      withdraws its stake. Tokens out <= tokens in (profit <= 0); every epoch emits at most its fees and
    ///      never more than the pool; the carry stays within MAX_CARRY_EPOCHS rates; the honest prover still
    ///      earns emissions, at most its own fees.
    function testFuzz_SelfDealing_ProfitNeverPositive(
        uint256 seed,
        uint8 sybilCount,
        uint8 epochCount,
        uint256 rate,
        uint256 pool,
        bool withHonest
    ) public {
        _seed = seed;
        uint256 n = bound(sybilCount, 1, 20);
        uint256 epochs = bound(epochCount, 1, 10);
        rate = bound(rate, 1e15, 1e25);
        pool = bound(pool, 1, 1e27);
        _useMarket(rate, pool);
        for (uint256 i; i < n; ++i) {
            sybils.push(address(uint160(uint256(keccak256(abi.encode("sybil", i))))));
        }
        sybils.push(attacker);

        _stakeFor(attacker, ATTACKER_STAKE);
        tokensIn += ATTACKER_STAKE;
        if (withHonest) _stakeFor(honest, MIN_STAKE);

        uint256 selfDealt;
        for (uint256 e; e < epochs; ++e) {
            vm.warp(genesis + e * EPOCH + _rand(0, EPOCH - 2 hours));
            if (_rand(0, 1) == 0) {
                market.finalizeEpochs();
                assertLe(market.carriedEmission(), market.MAX_CARRY_EPOCHS() * rate, "carry cap");
            }
            uint256 tasks = _rand(0, 4);
            if (e == epochs - 1 && selfDealt == 0 && tasks == 0) tasks = 1;
            for (uint256 t; t < tasks; ++t) {
                _selfDeal();
            }
            selfDealt += tasks;
            if (withHonest) {
                uint256 h = _rand(0, 2);
                for (uint256 t; t < h; ++t) {
                    _honestTask();
                }
            }
        }

        // Every ended epoch: emission <= fees, and all emissions together <= pool.
        vm.warp(genesis + epochs * EPOCH);
        market.finalizeEpochs();
        assertLe(market.carriedEmission(), market.MAX_CARRY_EPOCHS() * rate, "carry cap");
        uint256 emitted;
        for (uint256 e; e < epochs; ++e) {
            IRewards.Epoch memory info = market.epochInfo(e);
            assertLe(info.emission, info.fees, "epoch emission <= its fees");
            emitted += info.emission;
        }
        assertLe(emitted, pool, "emissions <= pool");
        assertEq(market.unallocatedEmissions(), pool - emitted);

        // The attacker takes out everything it can, on every address.
        uint256 tokensOut;
        for (uint256 i; i < sybils.length; ++i) {
            tokensOut += _claimAll(sybils[i]);
        }
        vm.prank(attacker);
        market.requestUnstake(ATTACKER_STAKE);
        skip(UNBONDING);
        vm.prank(attacker);
        tokensOut += market.withdraw();

        assertLe(tokensOut, tokensIn, "self-dealing profit <= 0");
        // Exactly: out = in - fees paid + emission share, so the share is at most the fees paid.
        uint256 share = tokensOut + attackerFees - tokensIn;
        assertLe(share, attackerFees, "emission share <= fees paid");

        if (withHonest && honestBounties != 0) {
            uint256 got = _claimAll(honest);
            assertGe(got, honestBounties, "honest prover gets its bounties");
            assertLe(got - honestBounties, honestFees, "honest emission share <= its fees");
            // With a pool that never binds, every epoch emits and the honest prover gets a share.
            if (pool >= 1e24) assertGt(got, honestBounties, "honest prover earns emissions");
        }
    }

    /// @dev A concrete run: 20 sybils, 5 epochs of self-dealing at a rate far above the fees, a funded pool. At
    ///      best (emission capped at exactly the fees) the attacker breaks even: it gets back its bounties and as
    ///      much emission as it paid in fees, which the treasury keeps; its sybils get nothing back.
    function test_SelfDealing_TwentySybils_BreaksEvenAtBest() public {
        uint256 rate = 1_000e18;
        _useMarket(rate, 1e24);
        for (uint256 i; i < 20; ++i) {
            sybils.push(address(uint160(uint256(keccak256(abi.encode("sybil", i))))));
        }
        _stakeFor(attacker, ATTACKER_STAKE);
        for (uint256 e; e < 5; ++e) {
            vm.warp(genesis + e * EPOCH);
            for (uint256 i; i < 20; ++i) {
                (ITaskMarket.Task memory task,) =
                    _postWith(sybils[i], modelId, _input(), BOUNTY, COLLATERAL, block.timestamp + 1 hours);
                vm.prank(attacker);
                market.fulfil(task, _words(1), _proof());
            }
        }
        vm.warp(genesis + 5 * EPOCH);
        uint256 fees = 100 * market.feeFor(BOUNTY);
        vm.prank(attacker);
        // Bounties back, and the emission equals the fees at most (here exactly: the rate is far above them).
        assertEq(market.claim(), 100 * BOUNTY + fees);
        assertEq(market.claimable(admin), fees, "the treasury has the fees");
        for (uint256 i; i < 20; ++i) {
            assertEq(market.claimable(sybils[i]), 0, "nothing comes back to the sybils");
        }
    }

    // ------------------------------------------------------------------ no dump

    /// @dev After any number of quiet epochs, at any rate and pool, one task of the smallest bounty gets
    ///      min(rate + carry, pool, its fee) with carry = min(quiet * rate, MAX_CARRY_EPOCHS * rate): at most its
    ///      fee, at most the pool; the rest stays in the pool and the carry restarts at zero.
    function testFuzz_NoDump_OneTinyTaskAfterQuietEpochs(uint256 quiet, uint256 rate, uint256 pool) public {
        quiet = bound(quiet, 1, 1_000);
        rate = bound(rate, 1, 1e25);
        pool = bound(pool, 1, 1e27);
        _useMarket(rate, pool);
        _stakeFor(attacker, MIN_STAKE);
        address sybil = makeAddr("sybil");

        vm.warp(genesis + quiet * EPOCH);
        market.finalizeEpochs();
        uint256 carry = market.carriedEmission();
        assertEq(carry, _min(quiet * rate, market.MAX_CARRY_EPOCHS() * rate), "carry capped");

        (ITaskMarket.Task memory task,) =
            _postWith(sybil, modelId, _input(), MIN_BOUNTY, COLLATERAL, block.timestamp + 1 hours);
        vm.prank(attacker);
        market.fulfil(task, _words(1), _proof());
        vm.warp(genesis + (quiet + 1) * EPOCH);
        market.finalizeEpochs();

        uint256 fee = task.fee;
        uint256 emission = market.epochInfo(quiet).emission;
        assertEq(emission, _min(_min(rate + carry, pool), fee));
        assertLe(emission, fee, "one task never collects more than its fee");
        assertLe(emission, pool, "never more than the pool");
        assertEq(market.unallocatedEmissions(), pool - emission, "the rest stays in the pool");
        assertEq(market.carriedEmission(), 0, "the carry restarts");

        vm.prank(attacker);
        uint256 out = market.claim();
        assertLe(out, MIN_BOUNTY + fee, "bounty back plus at most the fee paid");
        assertEq(market.claimable(sybil), 0);
    }

    /// @dev The dump of the old design, concretely: 100 quiet epochs at 10 tokens each. One task of the minimum
    ///      bounty gets its fee (0.05 tokens), not 1,010 tokens; the carry stopped at 40; the pool keeps the rest.
    function test_NoDump_HundredQuietEpochs() public {
        uint256 rate = 10e18;
        _useMarket(rate, 10_000e18);
        _stakeFor(attacker, MIN_STAKE);
        vm.warp(genesis + 100 * EPOCH);
        (ITaskMarket.Task memory task,) =
            _postWith(makeAddr("sybil"), modelId, _input(), MIN_BOUNTY, COLLATERAL, block.timestamp + 1 hours);
        assertEq(market.carriedEmission(), 0, "nothing finalized yet");
        vm.prank(attacker);
        market.fulfil(task, _words(1), _proof());
        assertEq(market.carriedEmission(), 40e18, "capped at 4 rates");
        vm.warp(genesis + 101 * EPOCH);
        vm.prank(attacker);
        assertEq(market.claim(), MIN_BOUNTY + task.fee);
        assertEq(task.fee, 5e16);
        assertEq(market.epochInfo(100).emission, 5e16);
        assertEq(market.unallocatedEmissions(), 10_000e18 - 5e16);
    }

    /// @dev Emission never exceeds the pool: with less in the pool than the fees and the rate, the epoch gets the
    ///      pool and the next one nothing, and nothing is owed later.
    function test_Emission_NeverExceedsPool() public {
        _useMarket(1e25, 1e15);
        _stakeFor(attacker, MIN_STAKE);
        for (uint256 e; e < 2; ++e) {
            vm.warp(genesis + e * EPOCH);
            (ITaskMarket.Task memory task,) =
                _postWith(requester, modelId, _input(), BOUNTY, COLLATERAL, block.timestamp + 1 hours);
            vm.prank(attacker);
            market.fulfil(task, _words(1), _proof());
        }
        vm.warp(genesis + 2 * EPOCH);
        market.finalizeEpochs();
        assertEq(market.epochInfo(0).emission, 1e15);
        assertEq(market.epochInfo(1).emission, 0);
        assertEq(market.unallocatedEmissions(), 0);
        vm.prank(attacker);
        assertEq(market.claim(), 2 * BOUNTY + 1e15);
    }
}
