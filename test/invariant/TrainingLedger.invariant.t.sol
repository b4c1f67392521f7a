// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ModelRegistry} from "../../contracts/ModelRegistry.sol";
import {TrainingLedger} from "../../contracts/TrainingLedger.sol";
import {IModelRegistry} from "../../contracts/interfaces/IModelRegistry.sol";
import {ITrainingLedger} from "../../contracts/interfaces/ITrainingLedger.sol";
import {MlproofToken} from "../../contracts/token/MlproofToken.sol";
import {MockGroth16Verifier} from "../utils/MockGroth16Verifier.sol";
import {TrainingLedgerHandler} from "./handlers/TrainingLedgerHandler.sol";

/// @notice Invariants of TrainingLedger under random funding (by two funders, sometimes naming a wrong evaluation
///         verifier), refunds, steps, evaluations of any allowed lineage position, improvement claims,
///         withdrawals, deprecation and time passing, on two models (see TrainingLedgerHandler; model B proves 3
///         SGD steps per entry): the ledger is solvent (its balance is exactly the budgets, the credits and the
///         unclaimed rewards of closed epochs), never pays out more than was funded, no epoch pays more than its
///         reward, the funders' shares sum to the total shares, `bestCorrect` never decreases, a head only changes
///         by `submitStep` and the step count is the lineage length times `stepsPerProof`. After every run
///         `afterInvariant` claims and withdraws everything, deprecates the models and refunds every funder, which
///         must all succeed and leave only the rounding dust of closed epochs behind.
contract TrainingLedgerInvariantTest is Test {
    uint48 internal constant ADMIN_DELAY = 2 days;

    ModelRegistry internal registry;
    TrainingLedger internal ledger;
    MlproofToken internal token;
    TrainingLedgerHandler internal handler;

    address internal admin = makeAddr("admin");
    address internal owner = makeAddr("owner");

    function setUp() public {
        vm.roll(1_000);
        registry = new ModelRegistry(admin, ADMIN_DELAY);
        token = new MlproofToken(address(this));
        ledger = new TrainingLedger(registry, IERC20(address(token)), admin, ADMIN_DELAY);
        MockGroth16Verifier stepVerifier = new MockGroth16Verifier(5);
        MockGroth16Verifier evalVerifier = new MockGroth16Verifier(5);

        // Model A: 7 work units, a step reward and a whole-token point reward (budget caps both).
        // Model B: 3 work units, no step reward and a point reward of 7 wei (uneven shares, so rounding dust).
        uint256[] memory models = new uint256[](2);
        models[0] = _registerAndInit(stepVerifier, evalVerifier, 7, 0x4ead0, 3e18, 1e18, 1);
        models[1] = _registerAndInit(stepVerifier, evalVerifier, 3, 0xb0b, 0, 7, 3);

        address[] memory provers = new address[](3);
        for (uint256 i; i < provers.length; ++i) {
            provers[i] = makeAddr(string.concat("prover", vm.toString(i)));
        }
        address[] memory funders = new address[](2);
        funders[0] = makeAddr("funder0");
        funders[1] = makeAddr("funder1");
        handler = new TrainingLedgerHandler(
            ledger, token, registry, stepVerifier, evalVerifier, models, provers, funders, owner, makeAddr("evaluator")
        );
        token.transferOwnership(address(handler));
        vm.prank(address(handler));
        token.acceptOwnership();

        // Initial budgets go through the handler so the ghosts include them.
        handler.fund(0, 0, 20e18, 1);
        handler.fund(1, 1, 1e18, 1);

        targetContract(address(handler));
        bytes4[] memory selectors = new bytes4[](8);
        selectors[0] = TrainingLedgerHandler.fund.selector;
        selectors[1] = TrainingLedgerHandler.step.selector;
        selectors[2] = TrainingLedgerHandler.eval.selector;
        selectors[3] = TrainingLedgerHandler.claimImprovement.selector;
        selectors[4] = TrainingLedgerHandler.withdraw.selector;
        selectors[5] = TrainingLedgerHandler.roll.selector;
        selectors[6] = TrainingLedgerHandler.refund.selector;
        selectors[7] = TrainingLedgerHandler.deprecate.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
    }

    function _registerAndInit(
        MockGroth16Verifier stepVerifier,
        MockGroth16Verifier evalVerifier,
        uint64 workUnits,
        uint256 head,
        uint256 stepReward,
        uint256 pointReward,
        uint64 stepsPerProof
    ) internal returns (uint256 id) {
        vm.prank(admin);
        id = registry.registerModel(
            IModelRegistry.ModelParams({
                verifier: address(stepVerifier),
                kind: IModelRegistry.Kind.Training,
                commitment: keccak256(abi.encode("train", head)),
                privateWeights: false,
                weightsCommitment: 0,
                inputWords: 4,
                outputWords: 1,
                workUnits: workUnits,
                previous: 0,
                owner: owner,
                metadataURI: "ipfs://train"
            })
        );
        vm.prank(owner);
        ledger.initTraining(
            id,
            ITrainingLedger.TrainingParams({
                datasetRoot: keccak256(abi.encode("data", head)) >> 8,
                evalRoot: uint256(keccak256(abi.encode("eval", head))) >> 8,
                initialHead: head,
                evalVerifier: address(evalVerifier),
                stepReward: stepReward,
                pointReward: pointReward,
                stepsPerProof: stepsPerProof
            })
        );
    }

    // ------------------------------------------------------------------ invariants

    /// @dev Solvency. Exactly: balance = funded - withdrawn = Σ budgets + Σ credits + Σ (reward - claimed) over
    ///      closed epochs (unclaimed shares plus dust); in particular balance >= Σ budgets + Σ credits + Σ the
    ///      floored shares still claimable.
    function invariant_solvency() public view {
        uint256[] memory models = handler.models();
        address[] memory provers = handler.provers();
        uint256 budgets;
        uint256 unclaimedRewards;
        uint256 unclaimedShares;
        for (uint256 i; i < models.length; ++i) {
            uint256 m = models[i];
            uint256 budget = ledger.trainingOf(m).budget;
            assertEq(budget, handler.ghostBudget(m), "budget != ghost");
            budgets += budget;
            unclaimedRewards += handler.unclaimedRewards(m);
            unclaimedShares += handler.unclaimedShares(m);
        }
        uint256 credits;
        for (uint256 k; k < provers.length; ++k) {
            uint256 c = ledger.creditsOf(provers[k]);
            assertEq(c, handler.ghostCredit(provers[k]), "credit != ghost");
            credits += c;
        }
        uint256 balance = token.balanceOf(address(ledger));
        assertEq(
            balance,
            handler.ghostFunded() - handler.ghostWithdrawn() - handler.ghostRefunded(),
            "balance != funded - withdrawn - refunded"
        );
        assertEq(balance, budgets + credits + unclaimedRewards, "balance != budgets + credits + unclaimed rewards");
        assertLe(unclaimedShares, unclaimedRewards, "claimable shares exceed unclaimed rewards");
        assertGe(balance, budgets + credits + unclaimedShares, "ledger cannot cover budgets + credits + shares");
    }

    /// @dev What left the ledger never exceeds what was funded, and every token credited or allotted came from a
    ///      budget: funded = Σ budgets + step rewards + improvement rewards allotted. Per closed epoch the
    ///      claimed shares never exceed the reward, and the ledger's epoch totals match the ghosts.
    function invariant_paidNeverExceedsFunded() public view {
        uint256 funded = handler.ghostFunded();
        uint256 withdrawn = handler.ghostWithdrawn();
        assertLe(withdrawn, funded, "withdrawn > funded");
        assertLe(handler.ghostStepCredited() + handler.ghostShareCredited(), funded, "credited > funded");
        address[] memory provers = handler.provers();
        uint256 held;
        for (uint256 k; k < provers.length; ++k) {
            assertEq(token.balanceOf(provers[k]), handler.ghostWithdrawnBy(provers[k]), "prover balance");
            held += token.balanceOf(provers[k]);
        }
        assertEq(held, withdrawn, "provers hold != withdrawn");

        uint256[] memory models = handler.models();
        uint256 budgets;
        for (uint256 i; i < models.length; ++i) {
            uint256 m = models[i];
            budgets += ledger.trainingOf(m).budget;
            uint64 open = ledger.trainingOf(m).epoch;
            assertEq(open, handler.ghostEpoch(m), "epoch != ghost");
            uint256 units = ledger.trainingOf(m).workUnits;
            for (uint64 e; e < open; ++e) {
                ITrainingLedger.EpochTotals memory totals = ledger.epochOf(m, e);
                assertEq(totals.start, handler.ghostEpochFrom(m, e), "epoch start");
                assertEq(totals.end, handler.ghostEpochTo(m, e), "epoch end");
                assertEq(totals.work, uint256(totals.end - totals.start) * units, "epoch work");
                assertEq(totals.reward, handler.ghostEpochReward(m, e), "epoch reward");
                assertLe(handler.ghostEpochClaimed(m, e), totals.reward, "epoch shares > reward");
            }
            ITrainingLedger.EpochTotals memory o = ledger.epochOf(m, open);
            assertEq(o.reward, 0, "open epoch has a reward");
            assertEq(o.start, handler.ghostEpochStart(m), "open epoch start");
            assertEq(o.end, ledger.lineageLength(m), "open epoch end");
        }
        assertEq(
            budgets + handler.ghostStepCredited() + handler.ghostAllotted() + handler.ghostRefunded(),
            funded,
            "budgets + paid out + refunded != funded"
        );
    }

    /// @dev Per model, the current-era shares of the funders sum to the total shares (and match the ghosts); a
    ///      budget with no shares is empty.
    function invariant_sharesSumToTotal() public view {
        uint256[] memory models = handler.models();
        address[] memory funders = handler.funders();
        for (uint256 i; i < models.length; ++i) {
            uint256 m = models[i];
            ITrainingLedger.Training memory t = ledger.trainingOf(m);
            uint256 sum;
            for (uint256 k; k < funders.length; ++k) {
                uint256 s = ledger.sharesOf(m, funders[k]);
                assertEq(s, handler.sharesOf(m, funders[k]), "shares != ghost");
                sum += s;
            }
            assertEq(sum, t.totalShares, "sum of shares != totalShares");
            assertEq(t.totalShares, handler.ghostTotalShares(m), "totalShares != ghost");
            assertEq(t.shareEra, handler.ghostEra(m), "era != ghost");
            if (t.totalShares == 0) assertEq(t.budget, 0, "budget without shares");
        }
    }

    /// @dev `bestCorrect` is what the evaluations say (the handler also checks after every action that it never
    ///      decreased), it is 0 until a baseline, and every model's best is at most the held-out set size.
    function invariant_bestCorrectNeverDecreases() public view {
        uint256[] memory models = handler.models();
        for (uint256 i; i < models.length; ++i) {
            ITrainingLedger.Training memory t = ledger.trainingOf(models[i]);
            assertEq(t.bestCorrect, handler.ghostBestCorrect(models[i]), "bestCorrect != ghost");
            assertEq(t.hasBaseline, handler.ghostHasBaseline(models[i]), "hasBaseline != ghost");
            if (!t.hasBaseline) assertEq(t.bestCorrect, 0, "bestCorrect without baseline");
            assertLe(t.bestCorrect, handler.TOTAL(), "bestCorrect > total");
        }
    }

    /// @dev The head is the last `headAfter` the handler's steps submitted (nothing else moves it; the handler
    ///      also checks this around every other action), and the lineage has one entry per step.
    function invariant_headOnlyChangesBySubmitStep() public view {
        uint256[] memory models = handler.models();
        for (uint256 i; i < models.length; ++i) {
            uint256 m = models[i];
            assertEq(ledger.headOf(m), handler.ghostHead(m), "head != last submitted step");
            uint256 entries = handler.ghostEntries(m);
            ITrainingLedger.Training memory t = ledger.trainingOf(m);
            assertEq(ledger.lineageLength(m), entries, "lineage length");
            assertEq(t.steps, entries * t.stepsPerProof, "steps != entries * stepsPerProof");
            if (entries != 0) {
                ITrainingLedger.Step memory last = ledger.lineageAt(m, entries - 1);
                assertEq(last.headAfter, ledger.headOf(m), "lineage tip");
                assertEq(last.step, (entries - 1) * t.stepsPerProof, "entry step word");
            }
        }
    }

    /// @dev Every action the handler expected to fail failed with the exact error, and every state it predicted
    ///      matched.
    function invariant_handlerSawNoViolation() public view {
        assertEq(handler.ghostViolations(), 0, handler.lastViolation());
    }

    /// @dev Pays everyone out at the end of each run, then refunds every funder: nothing may revert, and afterwards
    ///      only the rounding dust of closed epochs remains.
    function afterInvariant() public {
        // TRAINING_INVARIANT_SUMMARY=true prints what the last run's actions did (with -vv).
        if (vm.envOr("TRAINING_INVARIANT_SUMMARY", false)) handler.callSummary();
        handler.drain();
        handler.refundAll();
        assertEq(handler.ghostViolations(), 0, handler.lastViolation());
        uint256[] memory models = handler.models();
        uint256 left;
        for (uint256 i; i < models.length; ++i) {
            uint256 m = models[i];
            assertEq(handler.unclaimedShares(m), 0, "claimable share left after drain");
            assertEq(ledger.trainingOf(m).budget, 0, "budget left after every refund");
            assertEq(ledger.trainingOf(m).totalShares, 0, "shares left after every refund");
            left += handler.unclaimedRewards(m);
        }
        address[] memory provers = handler.provers();
        for (uint256 k; k < provers.length; ++k) {
            assertEq(ledger.creditsOf(provers[k]), 0, "credit left after drain");
        }
        assertEq(token.balanceOf(address(ledger)), left, "balance after drain and refunds != dust");
    }
}
