// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IGroth16Verifier} from "./interfaces/IGroth16Verifier.sol";
import {IModelRegistry} from "./interfaces/IModelRegistry.sol";
import {ITrainingLedger} from "./interfaces/ITrainingLedger.sol";
import {Statement} from "./libraries/Statement.sol";

/// @title TrainingLedger
/// @notice Proven training lineages of registry training models: a head commitment moved one verified SGD step at
///         a time, each step on a batch picked by a block hash the prover could not know when claiming it; proven
///         held-out evaluations of the head; and per-model reward budgets paying step rewards and, per epoch of
///         improvement, a reward shared by the epoch's provers pro rata to their work.
/// @dev Security (see also ITrainingLedger):
///      - the head is the replay key of both proofs: a verified step moves it (and increments the step number in
///        the public inputs), so no step statement verifies twice; an evaluation is recorded per head and a head
///        with a score cannot be evaluated again (proof bytes are malleable and never a key);
///      - the payee is `msg.sender`, packed into the last public input at bit 88, in steps and evaluations (the
///        public inputs are built by `Statement.trainStep` and `Statement.evaluation`);
///      - the ledger holds funds (the reward budgets and credits, in one ERC-20). Tokens move only in `fund`
///        (pulled in) and `withdraw` (pull payment of the caller's own credit), both `nonReentrant` and both
///        with every effect before the transfer. `submitStep`, `submitEval` and `claimImprovement` only move
///        internal balances; their only external calls are `view` (registry and verifiers, STATICCALLs) and
///        come before any effect;
///      - solvency: token balance >= sum of budgets + credits + unclaimed shares of closed epochs. A step reward
///        and an epoch's improvement reward are taken from the budget (capped at it); shares are floored, so
///        their sum never exceeds the epoch's reward; the dust stays in the contract;
///      - the step verifier and work units are snapshotted at `initTraining` (the registry never changes them);
///        the evaluation verifier and reward rates are fixed there by the model owner.
///      The admin role has no power over lineages or funds; it exists for later governance.
contract TrainingLedger is ITrainingLedger, AccessControlDefaultAdminRules, ReentrancyGuardTransient {
    /// @inheritdoc ITrainingLedger
    uint256 public constant CLAIM_WINDOW = 256;

    /// @dev Most SGD steps one step proof may cover.
    uint64 private constant MAX_STEPS_PER_PROOF = 64;

    /// @dev The model registry.
    IModelRegistry private immutable _registry;

    /// @dev Model id => training state; `verifier == address(0)` means not initialized.
    mapping(uint256 modelId => Training) private _trainings;

    /// @dev Model id => prover => open claim.
    mapping(uint256 modelId => mapping(address prover => Claim)) private _claims;

    /// @dev One lineage entry as stored, in two slots: its `headBefore` is the previous entry's `headAfter` (or
    ///      the initial head), so it is not stored again.
    struct StoredStep {
        uint256 headAfter;
        address prover;
        uint48 step;
        uint48 blockNumber;
    }

    /// @dev Model id => verified steps, in order.
    mapping(uint256 modelId => StoredStep[]) private _lineages;

    /// @dev Model id => the head `initTraining` registered (the first lineage entry's `headBefore`).
    mapping(uint256 modelId => uint256) private _initialHeads;

    /// @dev Prover => work units credited (lifetime, all models).
    mapping(address prover => uint256) private _work;

    /// @dev The ERC-20 every budget and reward is denominated in.
    IERC20 private immutable _rewardToken;

    /// @dev Model id => head => its verified evaluation; `total == 0` means the head was not evaluated.
    mapping(uint256 modelId => mapping(uint256 head => Score)) private _scores;

    /// @dev Model id => epoch => work and improvement reward.
    mapping(uint256 modelId => mapping(uint64 epoch => EpochTotals)) private _epochTotals;

    /// @dev Model id => epoch => prover => unclaimed work units (zeroed by `claimImprovement`).
    mapping(uint256 modelId => mapping(uint64 epoch => mapping(address prover => uint256))) private _epochWork;

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
    function claimStep(uint256 modelId) external returns (uint64 step) {
        Training storage t = _initialized(modelId);
        if (!_registry.getModel(modelId).active) revert TrainingLedgerNotTrainingModel(modelId);
        step = t.steps;
        Claim storage c = _claims[modelId][msg.sender];
        // An open claim blocks a new one (no seed shopping) unless another step overtook it or its seed is gone.
        if (c.blockNumber != 0 && c.step == step && block.number <= uint256(c.blockNumber) + 1 + CLAIM_WINDOW) {
            revert TrainingLedgerClaimOpen(modelId, msg.sender, c.blockNumber);
        }
        c.step = step;
        c.blockNumber = uint64(block.number);
        emit StepClaimed(modelId, msg.sender, step, uint64(block.number));
    }

    /// @inheritdoc ITrainingLedger
    function submitStep(uint256 modelId, uint256 headBefore, uint256 headAfter, uint256[8] calldata proof)
        external
    {
        Training storage t = _initialized(modelId);
        uint256 head = t.head;
        // A step that does not extend the current head (including any replay of a verified step) stops here.
        if (headBefore != head) revert TrainingLedgerNotHead(modelId, headBefore, head);
        if (headAfter == 0 || headAfter >= Statement.SCALAR_FIELD || headAfter == headBefore) {
            revert TrainingLedgerInvalidHeadAfter(headAfter);
        }
        Claim memory c = _claims[modelId][msg.sender];
        uint256 seed = _seed(modelId, msg.sender, c);
        uint64 step = t.steps;
        if (c.step != step) revert TrainingLedgerStaleClaim(modelId, c.step, step);

        uint256[] memory inputs =
            Statement.trainStep(headBefore, headAfter, uint256(t.datasetRoot), seed, step, msg.sender);
        if (!IGroth16Verifier(t.verifier).verifyProof(proof, inputs)) revert TrainingLedgerInvalidProof(modelId, step);

        t.head = headAfter;
        t.steps = step + t.stepsPerProof;
        _lineages[modelId].push(
            StoredStep({
                headAfter: headAfter,
                prover: msg.sender,
                step: SafeCast.toUint48(step),
                blockNumber: SafeCast.toUint48(block.number)
            })
        );
        delete _claims[modelId][msg.sender];
        uint256 units = t.workUnits;
        uint64 epoch = t.epoch;
        _work[msg.sender] += units;
        _epochWork[modelId][epoch][msg.sender] += units;
        _epochTotals[modelId][epoch].work += units;
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
    function fund(uint256 modelId, uint256 amount) external nonReentrant {
        Training storage t = _initialized(modelId);
        if (amount == 0) revert TrainingLedgerZeroAmount();
        t.budget += amount;
        emit TrainingFunded(modelId, msg.sender, amount);
        SafeERC20.safeTransferFrom(_rewardToken, msg.sender, address(this), amount);
    }

    /// @inheritdoc ITrainingLedger
    function submitEval(uint256 modelId, uint32 correct, uint32 total, uint64 lossSum, uint256[8] calldata proof)
        external
    {
        Training storage t = _initialized(modelId);
        uint256 h = t.head;
        // The head is the replay key: one evaluation per head, whatever the proof bytes.
        if (_scores[modelId][h].total != 0) revert TrainingLedgerAlreadyEvaluated(modelId, h);
        if (total == 0 || correct > total) revert TrainingLedgerInvalidScore(correct, total);

        uint256[] memory inputs = Statement.evaluation(h, t.evalRoot, correct, lossSum, total, msg.sender);
        if (!IGroth16Verifier(t.evalVerifier).verifyProof(proof, inputs)) {
            revert TrainingLedgerInvalidEvalProof(modelId, h);
        }

        uint64 epoch = t.epoch;
        _scores[modelId][h] = Score({
            correct: correct,
            total: total,
            lossSum: lossSum,
            epoch: epoch,
            blockNumber: uint64(block.number),
            evaluator: msg.sender
        });
        uint256 reward = 0; // set only by an improvement
        if (!t.hasBaseline) {
            // The first evaluation is the baseline: the epoch of the work before it closes without reward.
            t.hasBaseline = true;
            t.bestCorrect = correct;
            t.epoch = epoch + 1;
        } else if (correct > t.bestCorrect) {
            reward = _improvementReward(t, modelId, epoch, correct - t.bestCorrect);
            // Cannot underflow: the reward is capped at the budget.
            unchecked {
                t.budget -= reward;
            }
            _epochTotals[modelId][epoch].reward = reward;
            t.bestCorrect = correct;
            t.epoch = epoch + 1;
        }
        // Otherwise no improvement: only the score is recorded, and the epoch stays open.
        emit EvaluationVerified(modelId, h, correct, total, lossSum, epoch, reward, msg.sender);
    }

    /// @inheritdoc ITrainingLedger
    function claimImprovement(uint256 modelId, uint64 epoch) external {
        if (epoch >= _trainings[modelId].epoch) revert TrainingLedgerEpochOpen(modelId, epoch);
        uint256 w = _epochWork[modelId][epoch][msg.sender];
        if (w == 0) revert TrainingLedgerNothingToClaim(modelId, epoch, msg.sender);
        EpochTotals memory e = _epochTotals[modelId][epoch];
        // Floored; w <= e.work, so the shares of an epoch never sum above its reward (the dust stays here).
        uint256 share = Math.mulDiv(e.reward, w, e.work);
        _epochWork[modelId][epoch][msg.sender] = 0;
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
    function trainingOf(uint256 modelId) external view returns (Training memory) {
        return _trainings[modelId];
    }

    /// @inheritdoc ITrainingLedger
    function claimOf(uint256 modelId, address prover) external view returns (Claim memory) {
        return _claims[modelId][prover];
    }

    /// @inheritdoc ITrainingLedger
    function seedOf(uint256 modelId, address prover) external view returns (uint256) {
        return _seed(modelId, prover, _claims[modelId][prover]);
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
            headBefore: index == 0 ? _initialHeads[modelId] : lineage[index - 1].headAfter,
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
    function scoreOf(uint256 modelId, uint256 head) external view returns (Score memory) {
        return _scores[modelId][head];
    }

    /// @inheritdoc ITrainingLedger
    function epochOf(uint256 modelId, uint64 epoch) external view returns (EpochTotals memory) {
        return _epochTotals[modelId][epoch];
    }

    /// @inheritdoc ITrainingLedger
    function epochWorkOf(uint256 modelId, uint64 epoch, address prover) external view returns (uint256) {
        return _epochWork[modelId][epoch][prover];
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

    /// @dev The seed of claim `c`: the hash of the block after the claim, reduced mod r, while it is readable.
    function _seed(uint256 modelId, address prover, Claim memory c) private view returns (uint256) {
        // Reason: `blockNumber` is this contract's own record of the claim block (never a balance); 0 means no claim.
        // Slither flags it only because the value comes from `block.number`.
        // slither-disable-next-line incorrect-equality
        if (c.blockNumber == 0) revert TrainingLedgerNoClaim(modelId, prover);
        uint256 seedBlock = uint256(c.blockNumber) + 1;
        if (block.number <= seedBlock) revert TrainingLedgerSeedUnavailable(modelId, seedBlock);
        if (block.number - seedBlock > CLAIM_WINDOW) revert TrainingLedgerClaimExpired(modelId, seedBlock);
        bytes32 hash = blockhash(seedBlock);
        // Reason: `blockhash` returns exactly 0 for a block it cannot see; unreachable on a real chain inside the
        // window, it keeps a zero from ever being taken as a seed.
        // slither-disable-next-line incorrect-equality
        if (hash == bytes32(0)) revert TrainingLedgerSeedUnavailable(modelId, seedBlock);
        // Reason: the seed only picks which data set samples form the batch of an SGD step the prover must still
        // prove; the seed block did not exist at the claim, a claim cannot be renewed while open, and a proposer
        // biasing it can only choose among honest batches (docs/training.md, "Data provenance").
        // slither-disable-next-line weak-prng
        return uint256(hash) % Statement.SCALAR_FIELD;
    }

    /// @dev The improvement reward of an epoch closed by a score `gain` (> 0) answers above the best:
    ///      `min(gain * pointReward, budget)`, computed without overflow, and 0 if the epoch has no work.
    function _improvementReward(Training storage t, uint256 modelId, uint64 epoch, uint256 gain)
        private
        view
        returns (uint256)
    {
        if (_epochTotals[modelId][epoch].work == 0) return 0;
        uint256 budget = t.budget;
        uint256 rate = t.pointReward;
        // gain >= 1: if rate > budget / gain then gain * rate > budget; otherwise gain * rate <= budget fits.
        return rate > budget / gain ? budget : gain * rate;
    }

    /// @dev Reverts with TrainingLedgerNotInField unless 0 < value < r.
    function _checkField(uint256 value) private pure {
        if (value == 0 || value >= Statement.SCALAR_FIELD) revert TrainingLedgerNotInField(value);
    }
}
