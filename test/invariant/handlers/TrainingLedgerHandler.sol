// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {CommonBase} from "forge-std/Base.sol";
import {StdCheats} from "forge-std/StdCheats.sol";
import {StdUtils} from "forge-std/StdUtils.sol";
import {console} from "forge-std/console.sol";
import {TrainingLedger} from "../../../contracts/TrainingLedger.sol";
import {ITrainingLedger} from "../../../contracts/interfaces/ITrainingLedger.sol";
import {Statement} from "../../../contracts/libraries/Statement.sol";
import {MlproofToken} from "../../../contracts/token/MlproofToken.sol";
import {MockGroth16Verifier} from "../../utils/MockGroth16Verifier.sol";

/// @notice Drives a deployed TrainingLedger through bounded, mostly-valid actions on a few initialized training
///         models (fund, claim + seed + submit a step, submit an evaluation, claim an improvement share,
///         withdraw) by a fixed set of provers, and keeps ghost accounting of every token flow.
/// @dev Ghost ledger. Every token the ledger holds is in exactly one bucket: a model's budget, a prover's credit,
///      or the improvement reward of a closed epoch not yet claimed (which includes the rounding dust). The
///      handler predicts every state change from its ghosts (step reward = min(stepReward, budget); improvement
///      reward = min(gain · pointReward, budget); share = floor(reward · work / epochWork)) and checks the
///      ledger agrees. With `fail_on_revert = false` an assertion inside a handler would be swallowed, so a
///      disagreement is recorded in `ghostViolations` / `lastViolation` and checked by an invariant instead.
///      The mock verifiers are armed with `setExpectedInputsHash` before every proof, so a proof is accepted only
///      for the exact statement, with the caller packed into the last public input at bit 88.
///      After every action the handler checks that no head moved except by `submitStep` and that no model's
///      `bestCorrect` decreased.
contract TrainingLedgerHandler is CommonBase, StdCheats, StdUtils {
    /// @dev BN254 scalar field order r.
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    /// @dev Held-out set size of every evaluation.
    uint32 public constant TOTAL = 100;

    TrainingLedger public immutable ledger;
    MlproofToken public immutable token;
    MockGroth16Verifier public immutable stepVerifier;
    MockGroth16Verifier public immutable evalVerifier;
    address public immutable funder;
    address public immutable evaluator;

    uint256[] internal _models;
    address[] internal _provers;
    /// @dev Model id => every head it had, in order (a step sometimes returns to an old head).
    mapping(uint256 modelId => uint256[]) internal _heads;

    uint256 internal _nonce;
    uint256[8] internal _proof = [uint256(1), 2, 3, 4, 5, 6, 7, 8];

    // ------------------------------------------------------------------ ghost state

    uint256 public ghostFunded;
    uint256 public ghostWithdrawn;
    uint256 public ghostStepCredited;
    uint256 public ghostShareCredited;
    uint256 public ghostAllotted;
    mapping(uint256 modelId => uint256) public ghostBudget;
    mapping(address prover => uint256) public ghostCredit;
    mapping(address prover => uint256) public ghostWithdrawnBy;
    mapping(uint256 modelId => uint256) public ghostHead;
    mapping(uint256 modelId => uint64) public ghostSteps;
    mapping(uint256 modelId => uint64) public ghostEpoch;
    mapping(uint256 modelId => uint32) public ghostBestCorrect;
    mapping(uint256 modelId => bool) public ghostHasBaseline;
    mapping(uint256 modelId => mapping(uint256 head => bool)) public ghostEvaluated;
    mapping(uint256 modelId => mapping(uint64 epoch => uint256)) public ghostEpochWork;
    mapping(uint256 modelId => mapping(uint64 epoch => uint256)) public ghostEpochReward;
    mapping(uint256 modelId => mapping(uint64 epoch => uint256)) public ghostEpochClaimed;
    mapping(uint256 modelId => mapping(uint64 epoch => mapping(address prover => uint256))) public ghostWork;

    uint256 public ghostViolations;
    string public lastViolation;

    /// @dev How often each outcome happened (for tuning; see `callSummary`).
    mapping(string outcome => uint256) public outcomes;
    string[] internal _outcomeNames;

    /// @param models_ Initialized training model ids (the handler reads their rates from the ledger).
    constructor(
        TrainingLedger ledger_,
        MlproofToken token_,
        MockGroth16Verifier stepVerifier_,
        MockGroth16Verifier evalVerifier_,
        uint256[] memory models_,
        address[] memory provers_,
        address funder_,
        address evaluator_
    ) {
        ledger = ledger_;
        token = token_;
        stepVerifier = stepVerifier_;
        evalVerifier = evalVerifier_;
        _models = models_;
        _provers = provers_;
        funder = funder_;
        evaluator = evaluator_;
        for (uint256 i; i < models_.length; ++i) {
            uint256 h = ledger_.headOf(models_[i]);
            ghostHead[models_[i]] = h;
            _heads[models_[i]].push(h);
        }
    }

    /// @dev Runs an action, then checks what must hold after any action: heads move only by `submitStep` (which
    ///      the step action checks itself) and `bestCorrect` never decreases.
    modifier observed(string memory action, bool movesHead) {
        _count(action);
        uint256 n = _models.length;
        uint256[] memory heads = new uint256[](n);
        uint32[] memory best = new uint32[](n);
        for (uint256 i; i < n; ++i) {
            ITrainingLedger.Training memory t = ledger.trainingOf(_models[i]);
            heads[i] = t.head;
            best[i] = t.bestCorrect;
        }
        _;
        for (uint256 i; i < n; ++i) {
            ITrainingLedger.Training memory t = ledger.trainingOf(_models[i]);
            if (!movesHead && t.head != heads[i]) _violation(string.concat(action, " moved a head"));
            if (t.bestCorrect < best[i]) _violation(string.concat(action, " decreased bestCorrect"));
        }
    }

    // ================================================================== actions

    /// @notice The funder adds a bounded amount to a model's budget.
    function fund(uint256 modelSeed, uint256 amount) external observed("fund", false) {
        uint256 m = _model(modelSeed);
        amount = _bound(amount, 1, 40e18);
        token.mint(funder, amount);
        vm.startPrank(funder);
        token.approve(address(ledger), amount);
        try ledger.fund(m, amount) {}
        catch (bytes memory err) {
            vm.stopPrank();
            return _unexpected("fund", err);
        }
        vm.stopPrank();
        ghostFunded += amount;
        ghostBudget[m] += amount;
        _count("fund: ok");
        if (ledger.trainingOf(m).budget != ghostBudget[m]) _violation("fund: budget");
    }

    /// @notice A prover claims the next step of a model, waits for its seed and submits a proof of a step to a
    ///         fresh head (or, one time in eight, back to an earlier head).
    function step(uint256 modelSeed, uint256 proverSeed, uint256 headSeed, bytes32 hash)
        external
        observed("step", true)
    {
        uint256 m = _model(modelSeed);
        address p = _prover(proverSeed);
        if (hash == bytes32(0)) hash = keccak256("zero");
        ITrainingLedger.Training memory t = ledger.trainingOf(m);

        vm.prank(p);
        try ledger.claimStep(m) {}
        catch {
            // An open claim (a submit that did not happen): let it expire, then claim again.
            vm.roll(block.number + 258);
            vm.prank(p);
            try ledger.claimStep(m) {}
            catch (bytes memory err) {
                return _unexpected("claimStep", err);
            }
        }
        uint256 claimBlock = block.number;
        vm.roll(claimBlock + 2);
        vm.setBlockhash(claimBlock + 1, hash);
        uint256 seed = uint256(hash) % R;

        uint256 headAfter = _nextHead(m, headSeed, t.head);
        uint256[] memory inputs = Statement.trainStep(t.head, headAfter, uint256(t.datasetRoot), seed, t.steps, p);
        stepVerifier.setExpectedInputsHash(keccak256(abi.encodePacked(inputs)));

        uint256 creditBefore = ledger.creditsOf(p);
        vm.prank(p);
        try ledger.submitStep(m, t.head, headAfter, _proof) {}
        catch (bytes memory err) {
            return _unexpected("submitStep", err);
        }

        uint256 pay = t.stepReward < t.budget ? t.stepReward : t.budget;
        _count(pay == 0 ? "step: ok, no reward" : pay < t.stepReward ? "step: ok, capped reward" : "step: ok");
        ghostBudget[m] -= pay;
        ghostCredit[p] += pay;
        ghostStepCredited += pay;
        ghostHead[m] = headAfter;
        _heads[m].push(headAfter);
        ++ghostSteps[m];
        ghostWork[m][t.epoch][p] += t.workUnits;
        ghostEpochWork[m][t.epoch] += t.workUnits;

        if (ledger.creditsOf(p) != creditBefore + pay) _violation("submitStep: step reward");
        if (ledger.headOf(m) != headAfter) _violation("submitStep: head");
        if (ledger.epochWorkOf(m, t.epoch, p) != ghostWork[m][t.epoch][p]) _violation("submitStep: epoch work");
    }

    /// @notice The evaluator proves the current head's score: an improvement, no improvement or any score, by
    ///         the seed. A head already evaluated must be refused with TrainingLedgerAlreadyEvaluated.
    function eval(uint256 modelSeed, uint256 scoreSeed, uint64 lossSum) external observed("eval", false) {
        uint256 m = _model(modelSeed);
        ITrainingLedger.Training memory t = ledger.trainingOf(m);
        uint32 correct = _score(t, scoreSeed);
        uint256[] memory inputs = Statement.evaluation(t.head, t.evalRoot, correct, lossSum, TOTAL, evaluator);
        evalVerifier.setExpectedInputsHash(keccak256(abi.encodePacked(inputs)));

        if (ghostEvaluated[m][t.head]) {
            vm.prank(evaluator);
            try ledger.submitEval(m, correct, TOTAL, lossSum, _proof) {
                _violation("submitEval: a head evaluated twice");
            } catch (bytes memory err) {
                _expectError(
                    err,
                    abi.encodeWithSelector(ITrainingLedger.TrainingLedgerAlreadyEvaluated.selector, m, t.head),
                    "submitEval replay: wrong error"
                );
            }
            _count("eval: refused replay");
            return;
        }

        vm.prank(evaluator);
        try ledger.submitEval(m, correct, TOTAL, lossSum, _proof) {}
        catch (bytes memory err) {
            return _unexpected("submitEval", err);
        }
        ghostEvaluated[m][t.head] = true;

        uint64 epoch = ghostEpoch[m];
        if (!ghostHasBaseline[m]) {
            _count("eval: baseline");
            ghostHasBaseline[m] = true;
            ghostBestCorrect[m] = correct;
            ghostEpoch[m] = epoch + 1;
        } else if (correct > ghostBestCorrect[m]) {
            uint256 reward;
            if (ghostEpochWork[m][epoch] != 0) {
                uint256 gain = correct - ghostBestCorrect[m];
                uint256 budget = ghostBudget[m];
                reward = t.pointReward > budget / gain ? budget : gain * t.pointReward;
            }
            _count(reward == 0 ? "eval: improvement, no reward" : "eval: improvement");
            ghostBudget[m] -= reward;
            ghostAllotted += reward;
            ghostEpochReward[m][epoch] = reward;
            ghostBestCorrect[m] = correct;
            ghostEpoch[m] = epoch + 1;
        } else {
            _count("eval: no improvement");
        }

        ITrainingLedger.Training memory a = ledger.trainingOf(m);
        if (a.epoch != ghostEpoch[m]) _violation("submitEval: epoch");
        if (a.bestCorrect != ghostBestCorrect[m] || a.hasBaseline != ghostHasBaseline[m]) {
            _violation("submitEval: best");
        }
        if (a.budget != ghostBudget[m]) _violation("submitEval: budget");
        if (ledger.epochOf(m, epoch).reward != ghostEpochReward[m][epoch]) _violation("submitEval: reward");
        ITrainingLedger.Score memory s = ledger.scoreOf(m, t.head);
        if (s.correct != correct || s.total != TOTAL || s.lossSum != lossSum || s.epoch != epoch) {
            _violation("submitEval: score");
        }
        if (s.evaluator != evaluator || s.blockNumber != block.number) _violation("submitEval: score record");
    }

    /// @notice A prover claims its share of an epoch (sometimes the open one, or one it has no work in, which
    ///         must fail with the exact error).
    function claimImprovement(uint256 modelSeed, uint256 proverSeed, uint256 epochSeed)
        external
        observed("claimImprovement", false)
    {
        uint256 m = _model(modelSeed);
        uint64 open = ghostEpoch[m];
        // Mostly a closed epoch; one time in four any epoch up to the open one (which must be refused).
        uint64 epoch = uint64(_bound(epochSeed / 4, 0, (epochSeed % 4 == 0 || open == 0) ? open : open - 1));
        _claimImprovement(m, _prover(proverSeed), epoch);
    }

    /// @notice A prover withdraws its credits (with none, it must fail with TrainingLedgerNothingToWithdraw).
    function withdraw(uint256 proverSeed) external observed("withdraw", false) {
        _withdraw(_prover(proverSeed));
    }

    /// @notice Blocks pass.
    function roll(uint256 blocks) external observed("roll", false) {
        vm.roll(block.number + _bound(blocks, 1, 300));
    }

    // ================================================================== end of run

    /// @notice Claims every share of every closed epoch and withdraws every credit; must all succeed.
    function drain() external {
        for (uint256 i; i < _models.length; ++i) {
            uint256 m = _models[i];
            for (uint64 e; e < ghostEpoch[m]; ++e) {
                for (uint256 k; k < _provers.length; ++k) {
                    if (ghostWork[m][e][_provers[k]] != 0) _claimImprovement(m, _provers[k], e);
                }
            }
        }
        for (uint256 k; k < _provers.length; ++k) {
            if (ghostCredit[_provers[k]] != 0) _withdraw(_provers[k]);
        }
    }

    // ================================================================== views for the invariants

    function models() external view returns (uint256[] memory) {
        return _models;
    }

    function provers() external view returns (address[] memory) {
        return _provers;
    }

    /// @notice Σ over closed epochs of (reward - claimed): unclaimed shares plus rounding dust.
    function unclaimedRewards(uint256 m) public view returns (uint256 sum) {
        for (uint64 e; e < ghostEpoch[m]; ++e) {
            sum += ghostEpochReward[m][e] - ghostEpochClaimed[m][e];
        }
    }

    /// @notice Σ over closed epochs and provers of the floored share each could still claim (from the ghosts).
    function unclaimedShares(uint256 m) public view returns (uint256 sum) {
        for (uint64 e; e < ghostEpoch[m]; ++e) {
            uint256 work = ghostEpochWork[m][e];
            if (work == 0) continue;
            for (uint256 k; k < _provers.length; ++k) {
                sum += ghostEpochReward[m][e] * ghostWork[m][e][_provers[k]] / work;
            }
        }
    }

    /// @notice Prints how often each action and outcome happened in the run (with -vv).
    function callSummary() external view {
        console.log("TrainingLedgerHandler outcomes:");
        for (uint256 i; i < _outcomeNames.length; ++i) {
            console.log(string.concat("  ", _outcomeNames[i], ": ", vm.toString(outcomes[_outcomeNames[i]])));
        }
    }

    // ================================================================== helpers

    /// @dev `p` claims its share of `epoch` of model `m`; the exact error is expected where it must fail.
    function _claimImprovement(uint256 m, address p, uint64 epoch) internal {
        uint64 open = ghostEpoch[m];
        uint256 w = ghostWork[m][epoch][p];
        bytes memory expected;
        if (epoch >= open) {
            expected = abi.encodeWithSelector(ITrainingLedger.TrainingLedgerEpochOpen.selector, m, epoch);
        } else if (w == 0) {
            expected = abi.encodeWithSelector(ITrainingLedger.TrainingLedgerNothingToClaim.selector, m, epoch, p);
        }
        uint256 creditBefore = ledger.creditsOf(p);
        vm.prank(p);
        try ledger.claimImprovement(m, epoch) {
            if (expected.length != 0) return _violation("claimImprovement succeeded where it must fail");
        } catch (bytes memory err) {
            if (expected.length == 0) return _unexpected("claimImprovement", err);
            _count(epoch >= open ? "claimImprovement: refused open" : "claimImprovement: refused no work");
            return _expectError(err, expected, "claimImprovement: wrong error");
        }

        uint256 share = ghostEpochReward[m][epoch] * w / ghostEpochWork[m][epoch];
        _count(share == 0 ? "claimImprovement: ok, zero share" : "claimImprovement: ok");
        ghostWork[m][epoch][p] = 0;
        ghostEpochClaimed[m][epoch] += share;
        ghostCredit[p] += share;
        ghostShareCredited += share;
        if (ledger.creditsOf(p) != creditBefore + share) _violation("claimImprovement: share");
        if (ledger.epochWorkOf(m, epoch, p) != 0) _violation("claimImprovement: work left");
        if (ghostEpochClaimed[m][epoch] > ghostEpochReward[m][epoch]) _violation("claimImprovement: shares > reward");
    }

    function _count(string memory outcome) internal {
        if (outcomes[outcome]++ == 0) _outcomeNames.push(outcome);
    }

    function _withdraw(address p) internal {
        uint256 amount = ghostCredit[p];
        uint256 balanceBefore = token.balanceOf(p);
        vm.prank(p);
        try ledger.withdraw() {
            if (amount == 0) return _violation("withdraw of nothing succeeded");
        } catch (bytes memory err) {
            if (amount != 0) return _unexpected("withdraw", err);
            _count("withdraw: refused nothing");
            return _expectError(
                err,
                abi.encodeWithSelector(ITrainingLedger.TrainingLedgerNothingToWithdraw.selector, p),
                "withdraw: wrong error"
            );
        }
        _count("withdraw: ok");
        ghostCredit[p] = 0;
        ghostWithdrawn += amount;
        ghostWithdrawnBy[p] += amount;
        if (token.balanceOf(p) != balanceBefore + amount) _violation("withdraw: amount");
        if (ledger.creditsOf(p) != 0) _violation("withdraw: credit left");
    }

    /// @dev A new head for a step from `head`: one time in eight an earlier head of the lineage (if one differs
    ///      from `head`), otherwise a fresh one.
    function _nextHead(uint256 m, uint256 seed, uint256 head) internal returns (uint256) {
        uint256[] storage heads = _heads[m];
        if (seed % 8 == 0) {
            uint256 old = heads[_bound(seed / 8, 0, heads.length - 1)];
            if (old != head) return old;
        }
        return uint256(keccak256(abi.encode("head", m, ++_nonce))) % (R - 1) + 1;
    }

    /// @dev A score for the current head: by `seed % 3`, above the best, at or below it, or anything.
    function _score(ITrainingLedger.Training memory t, uint256 seed) internal pure returns (uint32) {
        uint256 mode = seed % 3;
        uint256 best = t.bestCorrect;
        if (mode == 0 && best < TOTAL) return uint32(_bound(seed / 3, best + 1, TOTAL));
        if (mode == 1) return uint32(_bound(seed / 3, 0, best));
        return uint32(_bound(seed / 3, 0, TOTAL));
    }

    function _model(uint256 seed) internal view returns (uint256) {
        return _models[seed % _models.length];
    }

    function _prover(uint256 seed) internal view returns (address) {
        return _provers[seed % _provers.length];
    }

    function _unexpected(string memory what, bytes memory err) internal {
        _violation(string.concat(what, " reverted: ", vm.toString(err)));
    }

    function _violation(string memory what) internal {
        ++ghostViolations;
        lastViolation = what;
    }

    /// @dev Records a violation unless `err` is exactly `expected` (selector and arguments).
    function _expectError(bytes memory err, bytes memory expected, string memory what) internal {
        if (keccak256(err) != keccak256(expected)) _violation(what);
    }
}
