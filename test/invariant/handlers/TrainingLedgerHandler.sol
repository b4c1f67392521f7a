// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {CommonBase} from "forge-std/Base.sol";
import {StdCheats} from "forge-std/StdCheats.sol";
import {StdUtils} from "forge-std/StdUtils.sol";
import {console} from "forge-std/console.sol";
import {ModelRegistry} from "../../../contracts/ModelRegistry.sol";
import {TrainingLedger} from "../../../contracts/TrainingLedger.sol";
import {ITrainingLedger} from "../../../contracts/interfaces/ITrainingLedger.sol";
import {Statement} from "../../../contracts/libraries/Statement.sol";
import {MlproofToken} from "../../../contracts/token/MlproofToken.sol";
import {MockGroth16Verifier} from "../../utils/MockGroth16Verifier.sol";

/// @notice Drives a deployed TrainingLedger through bounded, mostly-valid actions on a few initialized training
///         models (fund — sometimes naming a wrong evaluation verifier —, refund, submit a step on the lineage
///         seed, evaluate any allowed lineage position, claim an improvement share, withdraw, deprecate a model,
///         let time pass) by fixed sets of provers and funders, and keeps ghost accounting of every token flow.
/// @dev Ghost ledger. Every token the ledger holds is in exactly one bucket: a model's budget, a prover's credit,
///      or the improvement reward of a closed epoch not yet claimed (which includes the rounding dust). The
///      handler predicts every state change from its ghosts (seed = keccak of the lineage; step reward =
///      min(stepReward, budget); improvement reward = gain · pointReward, or TrainingLedgerBudgetShort with no
///      effect when the budget is short; share = floor(reward · work in [start, end) / epoch work); minted shares
///      = amount · totalShares / budget; refund = budget · shares / totalShares) and checks the ledger agrees.
///      With `fail_on_revert = false` an assertion inside a handler would be swallowed, so a disagreement is
///      recorded in `ghostViolations` / `lastViolation` and checked by an invariant instead. The mock verifiers
///      are armed with `setExpectedInputsHash` before every proof, so a proof is accepted only for the exact
///      statement, with the caller packed into the last public input at bit 88. After every action the handler
///      checks that no head moved except by `submitStep` and that no model's `bestCorrect` decreased.
contract TrainingLedgerHandler is CommonBase, StdCheats, StdUtils {
    /// @dev BN254 scalar field order r.
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    /// @dev Held-out set size of every evaluation.
    uint32 public constant TOTAL = 100;

    TrainingLedger public immutable ledger;
    MlproofToken public immutable token;
    ModelRegistry public immutable registry;
    MockGroth16Verifier public immutable stepVerifier;
    MockGroth16Verifier public immutable evalVerifier;
    address public immutable owner;
    address public immutable evaluator;

    uint256[] internal _models;
    address[] internal _provers;
    address[] internal _funders;
    /// @dev Model id => the head at every lineage position (index 0: the initial head); a step sometimes returns
    ///      to an old head or keeps the head.
    mapping(uint256 modelId => uint256[]) internal _heads;
    /// @dev Model id => the prover of every lineage entry.
    mapping(uint256 modelId => address[]) internal _entryProvers;

    uint256 internal _nonce;
    uint256[8] internal _proof = [uint256(1), 2, 3, 4, 5, 6, 7, 8];

    // ------------------------------------------------------------------ ghost state

    uint256 public ghostFunded;
    uint256 public ghostWithdrawn;
    uint256 public ghostRefunded;
    uint256 public ghostStepCredited;
    uint256 public ghostShareCredited;
    uint256 public ghostAllotted;
    mapping(uint256 modelId => uint256) public ghostBudget;
    mapping(address prover => uint256) public ghostCredit;
    mapping(address prover => uint256) public ghostWithdrawnBy;
    mapping(uint256 modelId => uint256) public ghostHead;
    mapping(uint256 modelId => uint64) public ghostEpoch;
    mapping(uint256 modelId => uint64) public ghostEpochStart;
    mapping(uint256 modelId => uint64) public ghostNextEval;
    mapping(uint256 modelId => uint32) public ghostBestCorrect;
    mapping(uint256 modelId => bool) public ghostHasBaseline;
    mapping(uint256 modelId => bool) public ghostDeprecated;
    mapping(uint256 modelId => uint256) public ghostLastStepAt;
    mapping(uint256 modelId => mapping(uint64 epoch => uint256)) public ghostEpochReward;
    mapping(uint256 modelId => mapping(uint64 epoch => uint64)) public ghostEpochFrom;
    mapping(uint256 modelId => mapping(uint64 epoch => uint64)) public ghostEpochTo;
    mapping(uint256 modelId => mapping(uint64 epoch => uint256)) public ghostEpochClaimed;
    mapping(uint256 modelId => mapping(uint64 epoch => mapping(address prover => bool))) public ghostClaimed;
    mapping(uint256 modelId => uint64) public ghostEra;
    mapping(uint256 modelId => uint256) public ghostTotalShares;
    mapping(uint256 modelId => mapping(address funder => uint256)) internal _shares;
    mapping(uint256 modelId => mapping(address funder => uint64)) internal _shareEra;

    uint256 public ghostViolations;
    string public lastViolation;

    /// @dev How often each outcome happened (for tuning; see `callSummary`).
    mapping(string outcome => uint256) public outcomes;
    string[] internal _outcomeNames;

    /// @param models_ Initialized training model ids (the handler reads their rates from the ledger).
    constructor(
        TrainingLedger ledger_,
        MlproofToken token_,
        ModelRegistry registry_,
        MockGroth16Verifier stepVerifier_,
        MockGroth16Verifier evalVerifier_,
        uint256[] memory models_,
        address[] memory provers_,
        address[] memory funders_,
        address owner_,
        address evaluator_
    ) {
        ledger = ledger_;
        token = token_;
        registry = registry_;
        stepVerifier = stepVerifier_;
        evalVerifier = evalVerifier_;
        _models = models_;
        _provers = provers_;
        _funders = funders_;
        owner = owner_;
        evaluator = evaluator_;
        for (uint256 i; i < models_.length; ++i) {
            uint256 h = ledger_.headOf(models_[i]);
            ghostHead[models_[i]] = h;
            _heads[models_[i]].push(h);
            ghostLastStepAt[models_[i]] = block.timestamp;
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

    /// @notice A funder adds a bounded amount to a model's budget, naming the model's evaluation verifier (one
    ///         time in eight another address, which must be refused; a deprecated model must refuse too).
    function fund(uint256 modelSeed, uint256 funderSeed, uint256 amount, uint256 verifierSeed)
        external
        observed("fund", false)
    {
        uint256 m = _model(modelSeed);
        address f = _funder(funderSeed);
        amount = _bound(amount, 1, 40e18);
        address named = verifierSeed % 8 == 0 ? address(uint160(verifierSeed >> 8)) : address(evalVerifier);
        _fund(m, f, amount, named);
    }

    /// @notice A funder asks for its share of a model's budget back (refused while the model is active and had a
    ///         step within FUNDING_TIMEOUT, or when it holds no shares).
    function refund(uint256 modelSeed, uint256 funderSeed) external observed("refund", false) {
        _refund(_model(modelSeed), _funder(funderSeed));
    }

    /// @notice A prover submits a proof of the next entry (on the lineage seed) to a fresh head (one time in
    ///         eight an earlier head, one time in sixteen the same head).
    function step(uint256 modelSeed, uint256 proverSeed, uint256 headSeed) external observed("step", true) {
        uint256 m = _model(modelSeed);
        address p = _prover(proverSeed);
        ITrainingLedger.Training memory t = ledger.trainingOf(m);
        uint256 seed = uint256(
            keccak256(abi.encode(ledger.SEED_DOMAIN(), block.chainid, address(ledger), m, t.head, t.steps))
        ) % R;
        if (ledger.seedOf(m) != seed) _violation("seedOf");

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
        ghostLastStepAt[m] = block.timestamp;
        _heads[m].push(headAfter);
        _entryProvers[m].push(p);

        if (ledger.creditsOf(p) != creditBefore + pay) _violation("submitStep: step reward");
        if (ledger.headOf(m) != headAfter) _violation("submitStep: head");
        ITrainingLedger.Step memory s = ledger.lineageAt(m, _entryProvers[m].length - 1);
        if (s.step != t.steps || ledger.trainingOf(m).steps != t.steps + t.stepsPerProof) {
            _violation("submitStep: step number");
        }
        if (ledger.epochWorkOf(m, ghostEpoch[m], p) != _workIn(m, p, ghostEpochStart[m], _tip(m))) {
            _violation("submitStep: open epoch work");
        }
    }

    /// @dev One evaluation the handler attempts, with what it predicts.
    struct EvalCase {
        uint256 m;
        uint64 position;
        uint64 next;
        uint64 tip;
        uint32 correct;
        uint64 lossSum;
        bool invalid;
        uint256 head;
        uint256 reward;
        bytes expected;
    }

    /// @notice The evaluator proves the score of a lineage position: mostly one in `[nextEval, tip]`, one time in
    ///         six one that must be refused. The score is an improvement, no improvement or any, by the seed; an
    ///         improvement the budget cannot pay must revert with TrainingLedgerBudgetShort and change nothing.
    function eval(uint256 modelSeed, uint256 positionSeed, uint256 scoreSeed, uint64 lossSum)
        external
        observed("eval", false)
    {
        EvalCase memory c;
        c.m = _model(modelSeed);
        c.lossSum = lossSum;
        ITrainingLedger.Training memory t = ledger.trainingOf(c.m);
        c.tip = _tip(c.m);
        c.next = ghostNextEval[c.m];
        c.invalid = positionSeed % 6 == 0 || c.next > c.tip;
        if (c.invalid) {
            c.position = (c.next != 0 && positionSeed % 12 == 0)
                ? uint64(_bound(positionSeed / 12, 0, c.next - 1))
                : c.tip + 1;
        } else {
            c.position = uint64(_bound(positionSeed / 6, c.next, c.tip));
        }
        c.correct = _score(t, scoreSeed);
        c.head = c.position <= c.tip ? _heads[c.m][c.position] : 0;
        _predictEval(c, t.pointReward);
        uint256[] memory inputs = Statement.evaluation(c.head, t.evalRoot, c.correct, lossSum, TOTAL, evaluator);
        evalVerifier.setExpectedInputsHash(keccak256(abi.encodePacked(inputs)));

        vm.prank(evaluator);
        try ledger.submitEval(c.m, c.position, c.correct, TOTAL, lossSum, _proof) {
            if (c.expected.length != 0) return _violation("submitEval succeeded where it must fail");
        } catch (bytes memory err) {
            if (c.expected.length == 0) return _unexpected("submitEval", err);
            _count(c.invalid ? "eval: refused position" : "eval: refused budget short");
            _expectError(err, c.expected, "submitEval: wrong error");
            ITrainingLedger.Training memory a = ledger.trainingOf(c.m);
            if (a.nextEval != c.next || a.epoch != ghostEpoch[c.m] || a.budget != ghostBudget[c.m]) {
                _violation("submitEval: a refused evaluation changed state");
            }
            return;
        }
        _applyEval(c);
    }

    /// @dev Sets `c.reward` and `c.expected` (the exact error, or empty for success).
    function _predictEval(EvalCase memory c, uint256 pointReward) internal view {
        if (c.invalid) {
            c.expected = abi.encodeWithSelector(
                ITrainingLedger.TrainingLedgerInvalidEvalPosition.selector, c.m, c.position, c.next, uint256(c.tip)
            );
        } else if (ghostHasBaseline[c.m] && c.correct > ghostBestCorrect[c.m]) {
            uint256 gain = c.correct - ghostBestCorrect[c.m];
            c.reward = pointReward > type(uint256).max / gain ? type(uint256).max : gain * pointReward;
            if (c.reward > ghostBudget[c.m]) {
                c.expected = abi.encodeWithSelector(
                    ITrainingLedger.TrainingLedgerBudgetShort.selector, c.m, c.reward, ghostBudget[c.m]
                );
            }
        }
    }

    /// @dev Moves the ghosts by a verified evaluation and checks the ledger agrees.
    function _applyEval(EvalCase memory c) internal {
        uint256 m = c.m;
        uint64 epoch = ghostEpoch[m];
        if (!ghostHasBaseline[m] || c.correct > ghostBestCorrect[m]) {
            _count(
                !ghostHasBaseline[m]
                    ? "eval: baseline"
                    : c.reward == 0 ? "eval: improvement, no reward" : "eval: improvement"
            );
            ghostHasBaseline[m] = true;
            ghostBudget[m] -= c.reward;
            ghostAllotted += c.reward;
            ghostEpochReward[m][epoch] = c.reward;
            ghostEpochFrom[m][epoch] = ghostEpochStart[m];
            ghostEpochTo[m][epoch] = c.position;
            ghostEpochStart[m] = c.position;
            ghostBestCorrect[m] = c.correct;
            ghostEpoch[m] = epoch + 1;
        } else {
            _count("eval: no improvement");
        }
        ghostNextEval[m] = c.position + 1;

        ITrainingLedger.Training memory b = ledger.trainingOf(m);
        if (b.epoch != ghostEpoch[m] || b.epochStart != ghostEpochStart[m]) _violation("submitEval: epoch");
        if (b.nextEval != ghostNextEval[m]) _violation("submitEval: nextEval");
        if (b.bestCorrect != ghostBestCorrect[m] || b.hasBaseline != ghostHasBaseline[m]) {
            _violation("submitEval: best");
        }
        if (b.budget != ghostBudget[m]) _violation("submitEval: budget");
        if (ledger.epochOf(m, epoch).reward != ghostEpochReward[m][epoch]) _violation("submitEval: reward");
        ITrainingLedger.Score memory s = ledger.scoreAt(m, c.position);
        if (s.correct != c.correct || s.total != TOTAL || s.lossSum != c.lossSum || s.epoch != epoch) {
            _violation("submitEval: score");
        }
        if (s.head != c.head || s.evaluator != evaluator || s.blockNumber != block.number) {
            _violation("submitEval: score record");
        }
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

    /// @notice The owner deprecates a model in the registry, rarely (one call in eight; model 0 never, so one
    ///         model stays fundable).
    function deprecate(uint256 modelSeed) external observed("deprecate", false) {
        uint256 m = _model(modelSeed);
        if (modelSeed % 8 != 1 || m == _models[0] || ghostDeprecated[m]) return;
        vm.prank(owner);
        registry.deprecateModel(m);
        ghostDeprecated[m] = true;
        _count("deprecate: ok");
    }

    /// @notice Blocks and time pass (one time in four past the funding timeout).
    function roll(uint256 blocks) external observed("roll", false) {
        vm.roll(block.number + _bound(blocks, 1, 300));
        vm.warp(block.timestamp + (blocks % 4 == 0 ? 31 days : _bound(blocks, 1, 1 days)));
    }

    // ================================================================== end of run

    /// @notice Claims every share of every closed epoch and withdraws every credit; must all succeed.
    function drain() external {
        for (uint256 i; i < _models.length; ++i) {
            uint256 m = _models[i];
            for (uint64 e; e < ghostEpoch[m]; ++e) {
                for (uint256 k; k < _provers.length; ++k) {
                    address p = _provers[k];
                    if (!ghostClaimed[m][e][p] && _workIn(m, p, ghostEpochFrom[m][e], ghostEpochTo[m][e]) != 0) {
                        _claimImprovement(m, p, e);
                    }
                }
            }
        }
        for (uint256 k; k < _provers.length; ++k) {
            if (ghostCredit[_provers[k]] != 0) _withdraw(_provers[k]);
        }
    }

    /// @notice Deprecates every model and refunds every funder holding shares; must all succeed.
    function refundAll() external {
        for (uint256 i; i < _models.length; ++i) {
            uint256 m = _models[i];
            if (!ghostDeprecated[m]) {
                vm.prank(owner);
                registry.deprecateModel(m);
                ghostDeprecated[m] = true;
            }
            for (uint256 k; k < _funders.length; ++k) {
                if (sharesOf(m, _funders[k]) != 0) _refund(m, _funders[k]);
            }
        }
    }

    // ================================================================== views for the invariants

    function models() external view returns (uint256[] memory) {
        return _models;
    }

    function provers() external view returns (address[] memory) {
        return _provers;
    }

    function funders() external view returns (address[] memory) {
        return _funders;
    }

    /// @notice A funder's ghost shares of a model's budget in the current era.
    function sharesOf(uint256 m, address f) public view returns (uint256) {
        return _shareEra[m][f] == ghostEra[m] ? _shares[m][f] : 0;
    }

    /// @notice Σ over closed epochs of (reward - claimed): unclaimed shares plus rounding dust.
    function unclaimedRewards(uint256 m) public view returns (uint256 sum) {
        for (uint64 e; e < ghostEpoch[m]; ++e) {
            sum += ghostEpochReward[m][e] - ghostEpochClaimed[m][e];
        }
    }

    /// @notice Σ over closed epochs and provers of the floored share each could still claim (from the ghosts).
    function unclaimedShares(uint256 m) public view returns (uint256 sum) {
        uint256 units = ledger.trainingOf(m).workUnits;
        for (uint64 e; e < ghostEpoch[m]; ++e) {
            uint256 work = uint256(ghostEpochTo[m][e] - ghostEpochFrom[m][e]) * units;
            if (work == 0) continue;
            for (uint256 k; k < _provers.length; ++k) {
                if (ghostClaimed[m][e][_provers[k]]) continue;
                uint256 w = _workIn(m, _provers[k], ghostEpochFrom[m][e], ghostEpochTo[m][e]);
                sum += ghostEpochReward[m][e] * w / work;
            }
        }
    }

    /// @notice The ghost lineage length of a model.
    function ghostEntries(uint256 m) external view returns (uint256) {
        return _entryProvers[m].length;
    }

    /// @notice Prints how often each action and outcome happened in the run (with -vv).
    function callSummary() external view {
        console.log("TrainingLedgerHandler outcomes:");
        for (uint256 i; i < _outcomeNames.length; ++i) {
            console.log(string.concat("  ", _outcomeNames[i], ": ", vm.toString(outcomes[_outcomeNames[i]])));
        }
    }

    // ================================================================== helpers

    function _fund(uint256 m, address f, uint256 amount, address named) internal {
        bytes memory expected;
        if (named != address(evalVerifier)) {
            expected = abi.encodeWithSelector(
                ITrainingLedger.TrainingLedgerEvalVerifierMismatch.selector, m, address(evalVerifier), named
            );
        } else if (ghostDeprecated[m]) {
            expected = abi.encodeWithSelector(ITrainingLedger.TrainingLedgerModelDeprecated.selector, m);
        }
        uint256 budget = ghostBudget[m];
        uint256 total = ghostTotalShares[m];
        bool newEra = budget == 0 && total != 0;
        if (newEra) total = 0;
        uint256 minted = total == 0 ? amount : amount * total / budget;
        if (expected.length == 0 && minted == 0) {
            expected = abi.encodeWithSelector(ITrainingLedger.TrainingLedgerZeroShares.selector, m, amount);
        }
        token.mint(f, amount);
        vm.startPrank(f);
        token.approve(address(ledger), amount);
        try ledger.fund(m, amount, named) {
            vm.stopPrank();
            if (expected.length != 0) return _violation("fund succeeded where it must fail");
        } catch (bytes memory err) {
            vm.stopPrank();
            if (expected.length == 0) return _unexpected("fund", err);
            _count(named != address(evalVerifier) ? "fund: refused verifier" : "fund: refused deprecated/dust");
            return _expectError(err, expected, "fund: wrong error");
        }
        _count(newEra ? "fund: ok, new era" : "fund: ok");
        if (newEra) ++ghostEra[m];
        if (_shareEra[m][f] != ghostEra[m]) {
            _shareEra[m][f] = ghostEra[m];
            _shares[m][f] = 0;
        }
        _shares[m][f] += minted;
        ghostTotalShares[m] = total + minted;
        ghostFunded += amount;
        ghostBudget[m] += amount;
        if (ledger.trainingOf(m).budget != ghostBudget[m]) _violation("fund: budget");
        if (ledger.sharesOf(m, f) != _shares[m][f]) _violation("fund: shares");
    }

    function _refund(uint256 m, address f) internal {
        uint256 mine = sharesOf(m, f);
        uint256 unlocksAt = ghostLastStepAt[m] + 30 days;
        bytes memory expected;
        if (mine == 0) {
            expected = abi.encodeWithSelector(ITrainingLedger.TrainingLedgerNothingToRefund.selector, m, f);
        } else if (!ghostDeprecated[m] && block.timestamp < unlocksAt) {
            expected = abi.encodeWithSelector(ITrainingLedger.TrainingLedgerRefundLocked.selector, m, unlocksAt);
        }
        uint256 balanceBefore = token.balanceOf(f);
        vm.prank(f);
        try ledger.refund(m) {
            if (expected.length != 0) return _violation("refund succeeded where it must fail");
        } catch (bytes memory err) {
            if (expected.length == 0) return _unexpected("refund", err);
            _count(mine == 0 ? "refund: refused no shares" : "refund: refused locked");
            return _expectError(err, expected, "refund: wrong error");
        }
        uint256 amount = ghostBudget[m] * mine / ghostTotalShares[m];
        _count(ghostDeprecated[m] ? "refund: ok, deprecated" : "refund: ok, timeout");
        _shares[m][f] = 0;
        ghostTotalShares[m] -= mine;
        ghostBudget[m] -= amount;
        ghostRefunded += amount;
        if (token.balanceOf(f) != balanceBefore + amount) _violation("refund: amount");
        if (ledger.trainingOf(m).budget != ghostBudget[m]) _violation("refund: budget");
        if (ghostTotalShares[m] == 0 && ghostBudget[m] != 0) _violation("refund: budget left without shares");
    }

    /// @dev `p` claims its share of `epoch` of model `m`; the exact error is expected where it must fail.
    function _claimImprovement(uint256 m, address p, uint64 epoch) internal {
        uint64 open = ghostEpoch[m];
        uint256 w = epoch < open && !ghostClaimed[m][epoch][p]
            ? _workIn(m, p, ghostEpochFrom[m][epoch], ghostEpochTo[m][epoch])
            : 0;
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

        uint256 work = uint256(ghostEpochTo[m][epoch] - ghostEpochFrom[m][epoch]) * ledger.trainingOf(m).workUnits;
        uint256 share = ghostEpochReward[m][epoch] * w / work;
        _count(share == 0 ? "claimImprovement: ok, zero share" : "claimImprovement: ok");
        ghostClaimed[m][epoch][p] = true;
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

    /// @dev `p`'s work units in the entries at positions `[from, to)` of model `m`, from the ghost lineage.
    function _workIn(uint256 m, address p, uint64 from, uint64 to) internal view returns (uint256 w) {
        address[] storage entries = _entryProvers[m];
        uint256 units = ledger.trainingOf(m).workUnits;
        for (uint256 i = from; i < to; ++i) {
            if (entries[i] == p) w += units;
        }
    }

    function _tip(uint256 m) internal view returns (uint64) {
        return uint64(_entryProvers[m].length);
    }

    /// @dev A new head for a step from `head`: one time in sixteen the same head, one time in eight an earlier
    ///      head of the lineage, otherwise a fresh one.
    function _nextHead(uint256 m, uint256 seed, uint256 head) internal returns (uint256) {
        uint256[] storage heads = _heads[m];
        if (seed % 16 == 0) return head;
        if (seed % 8 == 0) return heads[_bound(seed / 16, 0, heads.length - 1)];
        return uint256(keccak256(abi.encode("head", m, ++_nonce))) % (R - 1) + 1;
    }

    /// @dev A score: by `seed % 3`, above the best, at or below it, or anything.
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

    function _funder(uint256 seed) internal view returns (address) {
        return _funders[seed % _funders.length];
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
