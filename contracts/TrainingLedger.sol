// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";
import {IGroth16Verifier} from "./interfaces/IGroth16Verifier.sol";
import {IModelRegistry} from "./interfaces/IModelRegistry.sol";
import {ITrainingLedger} from "./interfaces/ITrainingLedger.sol";
import {Statement} from "./libraries/Statement.sol";

/// @title TrainingLedger
/// @notice Proven training lineages of registry training models: a head commitment moved one verified proof of
///         `stepsPerProof` SGD steps at a time, on batches picked by a seed the lineage alone fixes; proven held-out
///         evaluations of any head of the lineage; and per-model, share-based reward budgets paying step rewards
///         and, per epoch of improvement, a reward shared by the provers of the steps that produced the evaluated
///         head, pro rata to their work.
/// @dev Security (see also ITrainingLedger):
///      - the seed is `keccak256(SEED_DOMAIN, chainid, this, modelId, head, steps) mod r`: the same for every
///        submitter, so no number of addresses gives a choice of batch;
///      - the step count is the replay key of a step (it is in the public inputs and in the seed, and grows with
///        every entry); an evaluation position is evaluated once, in increasing order (proof bytes are malleable
///        and never a key);
///      - the payee is `msg.sender`, packed into the last public input at bit 88, in steps and evaluations (the
///        public inputs are built by `Statement.trainStep` and `Statement.evaluation`);
///      - the ledger holds funds (the budgets and credits, in one ERC-20). Tokens move only in `fund` (pulled
///        in), `refund` (the caller's share of a budget) and `withdraw` (the caller's own credit), all
///        `nonReentrant` and with every effect before the transfer. `submitStep`, `submitEval` and
///        `claimImprovement` only move internal balances; their only external calls are `view` (registry and
///        verifiers, STATICCALLs) and come before any effect;
///      - solvency: token balance >= sum of budgets + credits + unclaimed shares of closed epochs. A step reward is
///        capped at the budget; an improvement reward is paid in full from the budget or the evaluation reverts;
///        shares are floored, so their sum never exceeds the epoch's reward; the dust stays in the contract;
///      - the step verifier and work units are snapshotted at `initTraining` (the registry never changes them);
///        the evaluation verifier and reward rates are fixed there by the model owner, and every funder names the
///        evaluation verifier it pays for.
///      The admin role has no power over lineages or funds; it exists for later governance.
contract TrainingLedger is ITrainingLedger, AccessControlDefaultAdminRules, ReentrancyGuardTransient {
    using Checkpoints for Checkpoints.Trace208;

    /// @inheritdoc ITrainingLedger
    bytes32 public constant SEED_DOMAIN = keccak256("mlproof.training.seed.v1");

    /// @inheritdoc ITrainingLedger
    uint256 public constant FUNDING_TIMEOUT = 30 days;

    /// @dev Most SGD steps one step proof may cover.
    uint64 private constant MAX_STEPS_PER_PROOF = 64;

    /// @dev The model registry.
    IModelRegistry private immutable _registry;

    /// @dev The ERC-20 every budget and reward is denominated in.
    IERC20 private immutable _rewardToken;

    /// @dev Model id => training state; `verifier == address(0)` means not initialized.
    mapping(uint256 modelId => Training) private _trainings;

    /// @dev One lineage entry as stored, in two slots: its `headBefore` is the previous entry's `headAfter` (or
    ///      the initial head), so it is not stored again.
    struct StoredStep {
        uint256 headAfter;
        address prover;
        uint48 step;
        uint48 blockNumber;
    }

    /// @dev A funder's shares of one model's budget, valid in share era `era` only.
    struct FunderShares {
        uint256 shares;
        uint64 era;
    }

    /// @dev Model id => verified entries, in order.
    mapping(uint256 modelId => StoredStep[]) private _lineages;

    /// @dev Model id => the head `initTraining` registered (the head at position 0).
    mapping(uint256 modelId => uint256) private _initialHeads;

    /// @dev Prover => work units credited (lifetime, all models).
    mapping(address prover => uint256) private _work;

    /// @dev Model id => prover => cumulative work units, checkpointed at the lineage length after each of its
    ///      entries: the prover's work in positions `[a, b)` is `upperLookup(b) - upperLookup(a)`.
    mapping(uint256 modelId => mapping(address prover => Checkpoints.Trace208)) private _proverWork;

    /// @dev Model id => position => its verified evaluation; `total == 0` means not evaluated.
    mapping(uint256 modelId => mapping(uint256 position => Score)) private _scores;

    /// @dev Model id => closed epoch => positions, work and improvement reward.
    mapping(uint256 modelId => mapping(uint64 epoch => EpochTotals)) private _epochs;

    /// @dev Model id => epoch => prover => whether its share was claimed.
    mapping(uint256 modelId => mapping(uint64 epoch => mapping(address prover => bool))) private _claimed;

    /// @dev Model id => funder => its shares of the budget.
    mapping(uint256 modelId => mapping(address funder => FunderShares)) private _shares;

    /// @dev Prover => reward tokens credited and not yet withdrawn (all models).
    mapping(address prover => uint256) private _credits;

    /// @notice Deploys the ledger.
    /// @param registry_ The model registry.
    /// @param rewardToken_ The ERC-20 that funds budgets and pays rewards.
    /// @param admin Initial admin.
    /// @param adminDelay Delay of a two-step admin transfer, in seconds.
    constructor(IModelRegistry registry_, IERC20 rewardToken_, address admin, uint48 adminDelay)
        AccessControlDefaultAdminRules(adminDelay, admin)
    {
        _registry = registry_;
        _rewardToken = rewardToken_;
    }

    /// @inheritdoc ITrainingLedger
    function initTraining(uint256 modelId, TrainingParams calldata p) external {
        IModelRegistry.Model memory model = _registry.getModel(modelId);
        if (model.owner != msg.sender) revert TrainingLedgerNotModelOwner(modelId, msg.sender);
        if (!model.active || model.kind != IModelRegistry.Kind.Training) {
            revert TrainingLedgerNotTrainingModel(modelId);
        }
        // Registry layout of a training model: [headBefore, headAfter, datasetRoot, seed] ++ [stepAndPayee].
        if (
            model.inputWords != Statement.STEP_INPUT_WORDS || model.outputWords != Statement.STEP_OUTPUT_WORDS
                || model.privateWeights
        ) {
            revert TrainingLedgerInvalidLayout(modelId, model.inputWords, model.outputWords, model.privateWeights);
        }
        Training storage t = _trainings[modelId];
        if (t.verifier != address(0)) revert TrainingLedgerAlreadyInitialized(modelId);
        _checkField(uint256(p.datasetRoot));
        _checkField(p.evalRoot);
        _checkField(p.initialHead);
        if (p.evalVerifier.code.length == 0) revert TrainingLedgerInvalidEvalVerifier(p.evalVerifier);
        if (p.stepsPerProof == 0 || p.stepsPerProof > MAX_STEPS_PER_PROOF) {
            revert TrainingLedgerInvalidStepsPerProof(p.stepsPerProof);
        }

        t.datasetRoot = p.datasetRoot;
        t.evalRoot = p.evalRoot;
        t.head = p.initialHead;
        _initialHeads[modelId] = p.initialHead;
        t.verifier = model.verifier;
        t.workUnits = model.workUnits;
        t.evalVerifier = p.evalVerifier;
        t.stepReward = p.stepReward;
        t.pointReward = p.pointReward;
        t.stepsPerProof = p.stepsPerProof;
        t.lastStepAt = uint64(block.timestamp);
        emit TrainingInitialized(
            modelId,
            p.datasetRoot,
            p.evalRoot,
            p.initialHead,
            model.verifier,
            p.evalVerifier,
            p.stepReward,
            p.pointReward
        );
    }

    /// @inheritdoc ITrainingLedger
    function submitStep(uint256 modelId, uint256 headBefore, uint256 headAfter, uint256[8] calldata proof)
        external
    {
        Training storage t = _initialized(modelId);
        uint256 head = t.head;
        // A step that does not extend the current head (including any replay of a verified step) stops here.
        if (headBefore != head) revert TrainingLedgerNotHead(modelId, headBefore, head);
        if (headAfter == 0 || headAfter >= Statement.SCALAR_FIELD) revert TrainingLedgerInvalidHeadAfter(headAfter);
        uint64 step = t.steps;
        uint256[] memory inputs = Statement.trainStep(
            headBefore, headAfter, uint256(t.datasetRoot), _seed(modelId, head, step), step, msg.sender
        );
        if (!IGroth16Verifier(t.verifier).verifyProof(proof, inputs)) revert TrainingLedgerInvalidProof(modelId, step);

        t.head = headAfter;
        t.steps = step + t.stepsPerProof;
        t.lastStepAt = uint64(block.timestamp);
        _lineages[modelId].push(
            StoredStep({
                headAfter: headAfter,
                prover: msg.sender,
                step: SafeCast.toUint48(step),
                blockNumber: SafeCast.toUint48(block.number)
            })
        );
        uint64 units = t.workUnits;
        _work[msg.sender] += units;
        // Keyed by the new lineage length (this entry's index + 1): keys only grow, so `push` appends.
        uint48 position = SafeCast.toUint48(_lineages[modelId].length);
        uint208 cumulative = _proverWork[modelId][msg.sender].latest() + units;
        // Reason: `push` returns the previous and the new latest value, both already known here (`cumulative`).
        // slither-disable-next-line unused-return
        _proverWork[modelId][msg.sender].push(position, cumulative);
        emit StepVerified(modelId, step, headBefore, headAfter, msg.sender);

        uint256 pay = Math.min(t.stepReward, t.budget);
        if (pay != 0) {
            // Cannot underflow: pay <= budget.
            unchecked {
                t.budget -= pay;
            }
            _credits[msg.sender] += pay;
            emit RewardCredited(msg.sender, modelId, pay);
        }
    }

    /// @inheritdoc ITrainingLedger
    function fund(uint256 modelId, uint256 amount, address evalVerifier) external nonReentrant {
        Training storage t = _initialized(modelId);
        if (amount == 0) revert TrainingLedgerZeroAmount();
        address fixedVerifier = t.evalVerifier;
        if (evalVerifier != fixedVerifier) {
            revert TrainingLedgerEvalVerifierMismatch(modelId, fixedVerifier, evalVerifier);
        }
        if (!_registry.getModel(modelId).active) revert TrainingLedgerModelDeprecated(modelId);

        uint256 budget = t.budget;
        uint256 total = t.totalShares;
        uint64 era = t.shareEra;
        if (budget == 0 && total != 0) {
            // The era's budget is spent, its shares are worth nothing: a new era starts (older shares count 0).
            era += 1;
            t.shareEra = era;
            total = 0;
        }
        // At the budget's price; budget > 0 whenever total > 0 here. Floored, in favour of the other funders.
        uint256 minted = total == 0 ? amount : Math.mulDiv(amount, total, budget);
        if (minted == 0) revert TrainingLedgerZeroShares(modelId, amount);
        FunderShares storage s = _shares[modelId][msg.sender];
        if (s.era != era) {
            s.era = era;
            s.shares = minted;
        } else {
            s.shares += minted;
        }
        t.totalShares = total + minted;
        t.budget = budget + amount;
        emit TrainingFunded(modelId, msg.sender, amount, minted);
        SafeERC20.safeTransferFrom(_rewardToken, msg.sender, address(this), amount);
    }

    /// @inheritdoc ITrainingLedger
    function refund(uint256 modelId) external nonReentrant {
        Training storage t = _initialized(modelId);
        FunderShares storage s = _shares[modelId][msg.sender];
        uint256 mine = s.era == t.shareEra ? s.shares : 0;
        if (mine == 0) revert TrainingLedgerNothingToRefund(modelId, msg.sender);
        if (_registry.getModel(modelId).active) {
            uint256 unlocksAt = uint256(t.lastStepAt) + FUNDING_TIMEOUT;
            // Reason: a 30-day timeout; a proposer's few seconds of timestamp drift do not matter at that scale.
            // slither-disable-next-line timestamp
            bool locked = block.timestamp < unlocksAt; // forge-lint: disable-line(block-timestamp)
            if (locked) revert TrainingLedgerRefundLocked(modelId, unlocksAt);
        }
        uint256 total = t.totalShares;
        // Floored; mine <= total, so amount <= budget, and the last shareholder (mine == total) gets all of it.
        uint256 amount = Math.mulDiv(t.budget, mine, total);
        s.shares = 0;
        t.totalShares = total - mine;
        t.budget -= amount;
        emit TrainingRefunded(modelId, msg.sender, amount, mine);
        if (amount != 0) SafeERC20.safeTransfer(_rewardToken, msg.sender, amount);
    }

    /// @inheritdoc ITrainingLedger
    function submitEval(
        uint256 modelId,
        uint64 position,
        uint32 correct,
        uint32 total,
        uint64 lossSum,
        uint256[8] calldata proof
    ) external {
        Training storage t = _initialized(modelId);
        uint256 h = _verifyEval(t, modelId, position, correct, total, lossSum, proof);
        uint64 epoch = t.epoch;
        uint256 reward = _settle(t, modelId, epoch, position, correct);
        t.nextEval = position + 1;
        _scores[modelId][position] = Score({
            correct: correct,
            total: total,
            lossSum: lossSum,
            epoch: epoch,
            blockNumber: uint64(block.number),
            evaluator: msg.sender,
            head: h
        });
        emit EvaluationVerified(modelId, position, h, correct, total, lossSum, epoch, reward, msg.sender);
    }

    /// @inheritdoc ITrainingLedger
    function claimImprovement(uint256 modelId, uint64 epoch) external {
        if (epoch >= _trainings[modelId].epoch) revert TrainingLedgerEpochOpen(modelId, epoch);
        EpochTotals memory e = _epochs[modelId][epoch];
        uint256 w = _claimed[modelId][epoch][msg.sender] ? 0 : _workIn(modelId, msg.sender, e.start, e.end);
        if (w == 0) revert TrainingLedgerNothingToClaim(modelId, epoch, msg.sender);
        // Floored; w <= e.work, so the shares of an epoch never sum above its reward (the dust stays here).
        uint256 share = Math.mulDiv(e.reward, w, e.work);
        _claimed[modelId][epoch][msg.sender] = true;
        _credits[msg.sender] += share;
        emit ImprovementClaimed(modelId, epoch, msg.sender, share);
    }

    /// @inheritdoc ITrainingLedger
    function withdraw() external nonReentrant {
        uint256 amount = _credits[msg.sender];
        if (amount == 0) revert TrainingLedgerNothingToWithdraw(msg.sender);
        _credits[msg.sender] = 0;
        emit RewardsWithdrawn(msg.sender, amount);
        SafeERC20.safeTransfer(_rewardToken, msg.sender, amount);
    }

    /// @inheritdoc ITrainingLedger
    function headOf(uint256 modelId) external view returns (uint256) {
        return _trainings[modelId].head;
    }

    /// @inheritdoc ITrainingLedger
    function headAt(uint256 modelId, uint256 position) external view returns (uint256) {
        uint256 length = _lineages[modelId].length;
        if (position > length) revert TrainingLedgerLineageOutOfRange(modelId, position, length);
        return _headAt(modelId, position);
    }

    /// @inheritdoc ITrainingLedger
    function trainingOf(uint256 modelId) external view returns (Training memory) {
        return _trainings[modelId];
    }

    /// @inheritdoc ITrainingLedger
    function seedOf(uint256 modelId) external view returns (uint256) {
        Training storage t = _initialized(modelId);
        return _seed(modelId, t.head, t.steps);
    }

    /// @inheritdoc ITrainingLedger
    function lineageLength(uint256 modelId) external view returns (uint256) {
        return _lineages[modelId].length;
    }

    /// @inheritdoc ITrainingLedger
    function lineageAt(uint256 modelId, uint256 index) external view returns (Step memory) {
        StoredStep[] storage lineage = _lineages[modelId];
        if (index >= lineage.length) revert TrainingLedgerLineageOutOfRange(modelId, index, lineage.length);
        StoredStep storage s = lineage[index];
        return Step({
            headBefore: _headAt(modelId, index),
            headAfter: s.headAfter,
            prover: s.prover,
            step: s.step,
            blockNumber: s.blockNumber
        });
    }

    /// @inheritdoc ITrainingLedger
    function workOf(address prover) external view returns (uint256) {
        return _work[prover];
    }

    /// @inheritdoc ITrainingLedger
    function scoreAt(uint256 modelId, uint256 position) external view returns (Score memory) {
        return _scores[modelId][position];
    }

    /// @inheritdoc ITrainingLedger
    function epochOf(uint256 modelId, uint64 epoch) external view returns (EpochTotals memory) {
        Training storage t = _trainings[modelId];
        if (epoch != t.epoch || t.verifier == address(0)) return _epochs[modelId][epoch];
        uint64 length = uint64(_lineages[modelId].length);
        return EpochTotals({
            work: uint256(length - t.epochStart) * t.workUnits,
            reward: 0,
            start: t.epochStart,
            end: length
        });
    }

    /// @inheritdoc ITrainingLedger
    function epochWorkOf(uint256 modelId, uint64 epoch, address prover) external view returns (uint256) {
        Training storage t = _trainings[modelId];
        uint64 open = t.epoch;
        if (epoch > open || _claimed[modelId][epoch][prover]) return 0;
        if (epoch == open) return _workIn(modelId, prover, t.epochStart, uint64(_lineages[modelId].length));
        EpochTotals storage e = _epochs[modelId][epoch];
        return _workIn(modelId, prover, e.start, e.end);
    }

    /// @inheritdoc ITrainingLedger
    function sharesOf(uint256 modelId, address funder) external view returns (uint256) {
        FunderShares storage s = _shares[modelId][funder];
        // Reason: `era` is a counter this contract sets (never a balance); shares of another era are worth 0.
        // slither-disable-next-line incorrect-equality
        return s.era == _trainings[modelId].shareEra ? s.shares : 0;
    }

    /// @inheritdoc ITrainingLedger
    function creditsOf(address prover) external view returns (uint256) {
        return _credits[prover];
    }

    /// @inheritdoc ITrainingLedger
    function rewardToken() external view returns (address) {
        return address(_rewardToken);
    }

    /// @inheritdoc ITrainingLedger
    function registry() external view returns (address) {
        return address(_registry);
    }

    /// @dev The training state of an initialized model; reverts with TrainingLedgerNotInitialized otherwise.
    function _initialized(uint256 modelId) private view returns (Training storage t) {
        t = _trainings[modelId];
        if (t.verifier == address(0)) revert TrainingLedgerNotInitialized(modelId);
    }

    /// @dev Checks the position and the score and verifies the evaluation proof of the head at `position`;
    ///      returns that head. Reverts like `submitEval` documents.
    function _verifyEval(
        Training storage t,
        uint256 modelId,
        uint64 position,
        uint32 correct,
        uint32 total,
        uint64 lossSum,
        uint256[8] calldata proof
    ) private view returns (uint256 h) {
        uint256 length = _lineages[modelId].length;
        uint64 nextEval = t.nextEval;
        // The position is the replay key: positions are evaluated once, in increasing order.
        if (position < nextEval || position > length) {
            revert TrainingLedgerInvalidEvalPosition(modelId, position, nextEval, length);
        }
        if (total == 0 || correct > total) revert TrainingLedgerInvalidScore(correct, total);
        h = _headAt(modelId, position);
        uint256[] memory inputs = Statement.evaluation(h, t.evalRoot, correct, lossSum, total, msg.sender);
        if (!IGroth16Verifier(t.evalVerifier).verifyProof(proof, inputs)) {
            revert TrainingLedgerInvalidEvalProof(modelId, h);
        }
    }

    /// @dev Applies a verified score `correct` at `position` to the open epoch `epoch`: the baseline, or an
    ///      improvement over `bestCorrect` paid in full from the budget (else TrainingLedgerBudgetShort), closes
    ///      the epoch `[epochStart, position)`; any other score leaves it open. Returns the improvement reward.
    function _settle(Training storage t, uint256 modelId, uint64 epoch, uint64 position, uint32 correct)
        private
        returns (uint256 reward)
    {
        if (t.hasBaseline) {
            uint32 best = t.bestCorrect;
            if (correct <= best) return 0; // no improvement: the epoch stays open
            (bool fits, uint256 r) = Math.tryMul(correct - best, t.pointReward);
            reward = fits ? r : type(uint256).max;
            uint256 budget = t.budget;
            // Paid in full or not at all: a short budget reverts, so the improvement is not consumed.
            if (reward > budget) revert TrainingLedgerBudgetShort(modelId, reward, budget);
            // Cannot underflow: reward <= budget.
            unchecked {
                t.budget = budget - reward;
            }
        }
        // The first evaluation is the baseline: it closes the epoch of the work before it without reward.
        uint64 start = t.epochStart;
        // Every entry carries the model's fixed work units, so the epoch's work is its entry count times them.
        _epochs[modelId][epoch] =
            EpochTotals({work: uint256(position - start) * t.workUnits, reward: reward, start: start, end: position});
        t.hasBaseline = true;
        t.bestCorrect = correct;
        t.epochStart = position;
        t.epoch = epoch + 1;
    }

    /// @dev The head after `position` entries (the caller checks `position <= lineage length`).
    function _headAt(uint256 modelId, uint256 position) private view returns (uint256) {
        return position == 0 ? _initialHeads[modelId] : _lineages[modelId][position - 1].headAfter;
    }

    /// @dev `prover`'s work units in the entries at positions `[start, end)` of a model's lineage.
    function _workIn(uint256 modelId, address prover, uint64 start, uint64 end) private view returns (uint256) {
        Checkpoints.Trace208 storage w = _proverWork[modelId][prover];
        // Cumulative and keyed by index + 1: entries with index < end minus entries with index < start.
        return w.upperLookupRecent(SafeCast.toUint48(end)) - w.upperLookupRecent(SafeCast.toUint48(start));
    }

    /// @dev The batch seed of the entry extending `head` at step count `steps`: fixed by the lineage alone (the
    ///      same for every submitter), domain-separated by chain, ledger and model, reduced mod r.
    function _seed(uint256 modelId, uint256 head, uint64 steps) private view returns (uint256) {
        return uint256(keccak256(abi.encode(SEED_DOMAIN, block.chainid, address(this), modelId, head, steps)))
            % Statement.SCALAR_FIELD;
    }

    /// @dev Reverts with TrainingLedgerNotInField unless 0 < value < r.
    function _checkField(uint256 value) private pure {
        if (value == 0 || value >= Statement.SCALAR_FIELD) revert TrainingLedgerNotInField(value);
    }
}
