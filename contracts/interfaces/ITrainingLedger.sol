// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title ITrainingLedger
/// @notice Proven training lineages, proven evaluation and the rewards that pay for both. A training model
///         (registry `Kind.Training`) gets a data set root, a held-out evaluation root, an initial weights
///         commitment (`head`), an evaluation verifier and two reward rates from its owner (`initTraining`).
///         Provers then extend the head one proof (`stepsPerProof` SGD steps) at a time: `submitStep` verifies a
///         proof that the steps move `head` to `headAfter` on the batches the lineage's seed picks from the data
///         set, records the entry in the model's lineage, credits the model's work units to the prover and pays
///         it a step reward. Anyone may `submitEval` a proof of the score of any head of the lineage newer than
///         the last evaluated one; a score above the best so far closes an epoch with an improvement reward that
///         the provers of the steps that produced the evaluated head share pro rata to their work
///         (`claimImprovement`). Rewards come from a per-model budget that anyone may `fund` (share-based,
///         refundable after deprecation or a timeout) and are paid out by a pull-based `withdraw`.
/// @dev Self-contained (no imports) so that the Rust side can bind it with alloy `sol!`.
///
///      Registry layout convention for a training model: `inputWords = 4` (`headBefore, headAfter, datasetRoot,
///      seed`), `outputWords = 1` (`step + prover·2^88`, the payee word as in inference) and public weights, so
///      the verifier expects exactly 5 public inputs, in the order
///      `[headBefore, headAfter, datasetRoot, seed, step + (uint160(prover) << 88)]`
///      (`circuits/src/train/circuit.rs`, with data provenance). `initTraining` refuses any other layout.
///
///      Positions and step numbers: lineage entry `i` (0-based) is the `i`-th verified proof; it covers the SGD
///      steps `[i·k, (i+1)·k)` (`k = stepsPerProof`), and its public `step` word is `i·k`, the number of SGD
///      steps it extends (the circuit proves the inner steps `step, step+1, ..., step+k-1`, each on the batch the
///      seed and that step number select). `Training.steps` counts SGD steps (`lineageLength · k`) and is the
///      `step` of the next entry. The head at lineage position `p` is the head after `p` entries: the initial
///      head for `p = 0`, else `lineageAt(p - 1).headAfter`.
///
///      Seed (unbiasable): the batch seed of the next entry is fixed by the lineage alone,
///      `uint256(keccak256(abi.encode(SEED_DOMAIN, block.chainid, address(this), modelId, head, steps))) % r`
///      (`seedOf`). It does not depend on the submitter, so no address — however many a prover controls — sees
///      a seed another does not, and there is nothing to re-draw: given the head, the batches and hence the
///      next head are determined (SGD in the circuit is deterministic and the salt is the same before and
///      after). Only the model owner, choosing the initial weights and salt at `initTraining`, fixes the whole
///      trajectory, as it fixes the data set.
///
///      Replay: a verified step can never be submitted again: the step count in the last public input (and so the
///      seed) has grown, and `head` has moved to `headAfter` (`TrainingLedgerNotHead` for any other
///      `headBefore`). A step may leave the head unchanged (SGD that rounds to no update must not freeze a
///      lineage whose seed cannot be re-drawn); its step number still differs. The payee is bound the same way
///      as in inference: the proof verifies only for the `msg.sender` packed at bit 88, so a proof copied from
///      the mempool is useless.
///
///      Evaluation: the evaluation verifier (fixed per model at `initTraining`, never changed) expects exactly 5
///      public inputs, `[head, evalRoot, correct, lossSum, total + (uint160(evaluator) << 88)]`: the head at the
///      evaluated position scores `correct` right answers out of `total` held-out samples with summed loss
///      `lossSum`, and the evaluator (`msg.sender`) is bound like a payee. Positions are evaluated in strictly
///      increasing order, each at most once (the position is the replay key; Groth16 proofs are malleable, so
///      proof bytes never are): a proof re-used at a later position with the same head proves a score already
///      at or below the best, so it can never be paid twice.
///
///      Epochs of improvement (reward split rule): epoch `e` is the range of lineage positions `[start, end)`
///      between two evaluations that closed an epoch. The first evaluation (at position `p`) sets the baseline
///      (`bestCorrect`) and closes epoch 0 = `[0, p)` with no reward: work before any evaluation earns step
///      rewards only. Afterwards an evaluation at position `p` that beats `bestCorrect` by `gain` closes the open
///      epoch `[start, p)` with reward `gain · pointReward`, which the provers of the entries in `[start, p)` —
///      exactly the steps that produced the evaluated head since the last rewarded one — claim pro rata to their
///      work units in that range, floored (`claimImprovement`). Entries after `p` are not in the epoch: they
///      stay in the next one, eligible for a later improvement. An evaluation that does not beat `bestCorrect`
///      only records the score; the epoch stays open, so its steps still wait for an improvement measured from
///      the best score.
///
///      Money: the reward token is one ERC-20 for all models. Each model has a budget, filled by `fund` and
///      drawn by step rewards (`min(stepReward, budget)` per verified entry) and improvement rewards, paid in
///      full or not at all: an improvement the budget cannot cover reverts with `TrainingLedgerBudgetShort` and
///      consumes nothing (no score, best or epoch changes), so it can be submitted again once funded. The budget
///      belongs to its funders in shares: `fund` mints shares at the budget's current price, `refund` burns a
///      funder's shares for its pro-rata part of the unspent budget once the model is deprecated in the
///      registry or no step was verified for `FUNDING_TIMEOUT`. A budget that reaches 0 is worthless to its
///      shareholders; the next `fund` starts a new share era in which older shares count 0. The ledger's balance
///      always covers every budget, every credit and every unclaimed share of a closed epoch; shares are
///      floored, so the rounding dust of an epoch stays in the contract. Tokens leave only by `withdraw` and
///      `refund`.
interface ITrainingLedger {
    /// @notice Parameters of `initTraining`.
    /// @param datasetRoot Poseidon Merkle root of the training set, in (0, r).
    /// @param evalRoot Poseidon Merkle root of the held-out evaluation set, in (0, r).
    /// @param initialHead Poseidon commitment to the initial weights, in (0, r).
    /// @param evalVerifier Groth16 verifier of the evaluation circuit (5 public inputs); must have code. Fixed for
    ///        the model's life: every `fund` must name it.
    /// @param stepReward Reward tokens per verified entry (capped by the model's budget).
    /// @param pointReward Reward tokens per held-out correct answer gained over the best score so far.
    /// @param stepsPerProof SGD steps `k` each step proof covers (fixed by the step verifier's circuit), in
    ///        [1, 64]; `stepReward` and the work units are per proof (per lineage entry).
    struct TrainingParams {
        bytes32 datasetRoot;
        uint256 evalRoot;
        uint256 initialHead;
        address evalVerifier;
        uint256 stepReward;
        uint256 pointReward;
        uint64 stepsPerProof;
    }

    /// @notice A model's training state.
    /// @param datasetRoot Poseidon Merkle root of the training set (< r).
    /// @param evalRoot Poseidon Merkle root of the held-out evaluation set (< r).
    /// @param head Poseidon commitment to the current weights (< r).
    /// @param verifier The model's step verifier, snapshotted from the registry at `initTraining`.
    /// @param steps SGD steps verified (`lineageLength · stepsPerProof`): the public `step` of the next entry.
    /// @param workUnits Work units credited per lineage entry (per proof), snapshotted from the registry.
    /// @param epoch The open epoch of improvement (every lower epoch is closed).
    /// @param bestCorrect Best held-out score so far (the baseline after the first evaluation); never decreases.
    /// @param hasBaseline Whether a first evaluation has set `bestCorrect`.
    /// @param stepsPerProof SGD steps each step proof covers.
    /// @param evalVerifier The model's evaluation verifier, fixed at `initTraining`.
    /// @param stepReward Reward tokens per verified entry.
    /// @param pointReward Reward tokens per held-out correct answer gained.
    /// @param budget Reward tokens funded and not yet credited, allotted to an epoch or refunded.
    /// @param epochStart Lineage position where the open epoch starts (the last closing evaluation's position).
    /// @param nextEval Lowest lineage position the next evaluation may evaluate (last evaluated position + 1).
    /// @param lastStepAt Timestamp of the last verified step (of `initTraining` before any); starts the
    ///        `FUNDING_TIMEOUT` after which funders may refund.
    /// @param shareEra Share era of the budget (grows when a fund finds the budget at 0).
    /// @param totalShares Funders' shares of the budget in the current era.
    struct Training {
        bytes32 datasetRoot;
        uint256 evalRoot;
        uint256 head;
        address verifier;
        uint64 steps;
        uint64 workUnits;
        uint64 epoch;
        uint32 bestCorrect;
        bool hasBaseline;
        uint64 stepsPerProof;
        address evalVerifier;
        uint256 stepReward;
        uint256 pointReward;
        uint256 budget;
        uint64 epochStart;
        uint64 nextEval;
        uint64 lastStepAt;
        uint64 shareEra;
        uint256 totalShares;
    }

    /// @notice One verified entry of a model's lineage.
    /// @param headBefore Head the entry started from.
    /// @param headAfter Head the entry produced.
    /// @param prover Account that proved it (and was credited).
    /// @param step Its public `step` word: the SGD steps it extends, `index · stepsPerProof`.
    /// @param blockNumber Block in which it was verified.
    struct Step {
        uint256 headBefore;
        uint256 headAfter;
        address prover;
        uint64 step;
        uint64 blockNumber;
    }

    /// @notice A verified evaluation of the head at one lineage position on the held-out set.
    /// @param correct Held-out samples the head classifies correctly.
    /// @param total Held-out samples evaluated (> 0; 0 means the position was never evaluated).
    /// @param lossSum Summed loss over the held-out samples, in the circuit's fixed-point units.
    /// @param epoch The epoch open when evaluated (an improvement, or the baseline, closes it).
    /// @param blockNumber Block in which the evaluation was verified.
    /// @param evaluator Account that submitted the proof (bound into it).
    /// @param head The evaluated head.
    struct Score {
        uint32 correct;
        uint32 total;
        uint64 lossSum;
        uint64 epoch;
        uint64 blockNumber;
        address evaluator;
        uint256 head;
    }

    /// @notice One epoch of improvement of a model: the lineage positions `[start, end)`.
    /// @param work Work units of the entries in `[start, end)` (for the open epoch: up to the lineage tip).
    /// @param reward Improvement reward the epoch closed with, shared pro rata to work (0 while open).
    /// @param start First lineage position (entry index) of the epoch.
    /// @param end The evaluated position that closed it (for the open epoch: the lineage length, as of now).
    struct EpochTotals {
        uint256 work;
        uint256 reward;
        uint64 start;
        uint64 end;
    }

    /// @notice Emitted when a model's training is initialized.
    event TrainingInitialized(
        uint256 indexed modelId,
        bytes32 datasetRoot,
        uint256 evalRoot,
        uint256 initialHead,
        address verifier,
        address evalVerifier,
        uint256 stepReward,
        uint256 pointReward
    );
    /// @notice Emitted when an entry is verified and becomes the model's head; `step` is its public step word.
    event StepVerified(
        uint256 indexed modelId, uint64 indexed step, uint256 headBefore, uint256 headAfter, address indexed prover
    );
    /// @notice Emitted when `funder` adds `amount` to a model's reward budget for `shares` new shares.
    event TrainingFunded(uint256 indexed modelId, address indexed funder, uint256 amount, uint256 shares);
    /// @notice Emitted when `funder` burns `shares` for `amount` of a model's unspent budget.
    event TrainingRefunded(uint256 indexed modelId, address indexed funder, uint256 amount, uint256 shares);
    /// @notice Emitted when a step reward of `amount` from a model's budget is credited to `prover`.
    event RewardCredited(address indexed prover, uint256 indexed modelId, uint256 amount);
    /// @notice Emitted when an evaluation of the head at `position` is verified. `epoch` is the epoch open then;
    ///         `reward` is what it closed with (0 for the baseline, or when the score did not improve).
    event EvaluationVerified(
        uint256 indexed modelId,
        uint64 position,
        uint256 indexed head,
        uint32 correct,
        uint32 total,
        uint64 lossSum,
        uint64 epoch,
        uint256 reward,
        address evaluator
    );
    /// @notice Emitted when `prover`'s share `amount` of a closed epoch's improvement reward is credited.
    event ImprovementClaimed(uint256 indexed modelId, uint64 indexed epoch, address indexed prover, uint256 amount);
    /// @notice Emitted when `prover` withdraws its credited rewards.
    event RewardsWithdrawn(address indexed prover, uint256 amount);

    /// @notice The caller is not the model's owner in the registry.
    error TrainingLedgerNotModelOwner(uint256 modelId, address caller);
    /// @notice The model is not an active training model.
    error TrainingLedgerNotTrainingModel(uint256 modelId);
    /// @notice The model's registered layout is not `inputWords = 4, outputWords = 1`, public weights.
    error TrainingLedgerInvalidLayout(uint256 modelId, uint32 inputWords, uint32 outputWords, bool privateWeights);
    /// @notice The model's training was already initialized.
    error TrainingLedgerAlreadyInitialized(uint256 modelId);
    /// @notice The model's training was not initialized.
    error TrainingLedgerNotInitialized(uint256 modelId);
    /// @notice A root or head is zero or not below the BN254 scalar field order r.
    error TrainingLedgerNotInField(uint256 value);
    /// @notice The step does not start from the model's current head.
    error TrainingLedgerNotHead(uint256 modelId, uint256 headBefore, uint256 head);
    /// @notice `headAfter` is zero or not below r.
    error TrainingLedgerInvalidHeadAfter(uint256 headAfter);
    /// @notice The proof does not verify for these public inputs (`step` is the public step word).
    error TrainingLedgerInvalidProof(uint256 modelId, uint64 step);
    /// @notice No lineage entry at this index.
    error TrainingLedgerLineageOutOfRange(uint256 modelId, uint256 index, uint256 length);
    /// @notice The evaluation verifier has no code.
    error TrainingLedgerInvalidEvalVerifier(address evalVerifier);
    /// @notice `stepsPerProof` is outside [1, 64].
    error TrainingLedgerInvalidStepsPerProof(uint64 stepsPerProof);
    /// @notice Amount must be non-zero.
    error TrainingLedgerZeroAmount();
    /// @notice The position is not in `[nextEval, lineageLength]`: evaluated already, older than the last
    ///         evaluation, or past the lineage tip.
    error TrainingLedgerInvalidEvalPosition(uint256 modelId, uint256 position, uint64 nextEval, uint256 length);
    /// @notice The score is not `0 < total` and `correct <= total`.
    error TrainingLedgerInvalidScore(uint32 correct, uint32 total);
    /// @notice The evaluation proof does not verify for these public inputs.
    error TrainingLedgerInvalidEvalProof(uint256 modelId, uint256 head);
    /// @notice The improvement reward `needed` exceeds the model's budget; nothing was consumed. Fund, then
    ///         submit the evaluation again.
    error TrainingLedgerBudgetShort(uint256 modelId, uint256 needed, uint256 budget);
    /// @notice The epoch is still open (or not reached yet); only closed epochs can be claimed.
    error TrainingLedgerEpochOpen(uint256 modelId, uint64 epoch);
    /// @notice The prover has no unclaimed work in the epoch.
    error TrainingLedgerNothingToClaim(uint256 modelId, uint64 epoch, address prover);
    /// @notice The caller has no credited rewards.
    error TrainingLedgerNothingToWithdraw(address prover);
    /// @notice The funder named an evaluation verifier other than the model's (fixed at `initTraining`).
    error TrainingLedgerEvalVerifierMismatch(uint256 modelId, address expected, address named);
    /// @notice The model is deprecated in the registry: it takes no new funding.
    error TrainingLedgerModelDeprecated(uint256 modelId);
    /// @notice `amount` buys no share at the budget's current price.
    error TrainingLedgerZeroShares(uint256 modelId, uint256 amount);
    /// @notice The model is active and had a verified step less than `FUNDING_TIMEOUT` ago: refunds open at
    ///         `unlocksAt` (unless a step comes first) or at deprecation.
    error TrainingLedgerRefundLocked(uint256 modelId, uint256 unlocksAt);
    /// @notice The caller holds no shares of the model's budget in its current era.
    error TrainingLedgerNothingToRefund(uint256 modelId, address funder);

    /// @notice Initializes a training model's roots, initial head, evaluation verifier and reward rates. Once per
    ///         model; the model's owner only. The budget starts at 0 (see `fund`).
    /// @param modelId Registry id of an active `Kind.Training` model with the layout above.
    /// @param p Roots and head in (0, r), an evaluation verifier with code, and the reward rates.
    function initTraining(uint256 modelId, TrainingParams calldata p) external;

    /// @notice Verifies `stepsPerProof` SGD steps from the current head (steps `step .. step + k - 1`, `step`
    ///         being `Training.steps`, each on the batch `seedOf(modelId)` and its own step number select), moves
    ///         the head, appends the lineage entry and credits the caller: the model's work units (lifetime, and
    ///         at the new lineage position for improvement shares) and a step reward of `min(stepReward, budget)`.
    /// @dev Public inputs: `[headBefore, headAfter, datasetRoot, seedOf(modelId), step + (uint160(msg.sender) << 88)]`;
    ///      the step count then grows by `stepsPerProof`. No claim is needed: anyone may extend the head, the
    ///      first valid proof wins. Allowed after the model is deprecated. Emits RewardCredited only for a
    ///      non-zero reward.
    /// @param modelId The model.
    /// @param headBefore Must equal the current head.
    /// @param headAfter The new head, in (0, r) (it may equal `headBefore`).
    /// @param proof Groth16 proof [A.x, A.y, B.x.c1, B.x.c0, B.y.c1, B.y.c0, C.x, C.y].
    function submitStep(uint256 modelId, uint256 headBefore, uint256 headAfter, uint256[8] calldata proof)
        external;

    /// @notice Adds `amount` reward tokens to a model's budget (requires ERC-20 approval) and mints the caller
    ///         shares at the budget's price: `amount` if the era has none, else `amount · totalShares / budget`,
    ///         floored. Anyone may fund an active model.
    /// @dev Reverts with TrainingLedgerEvalVerifierMismatch unless `evalVerifier` is the model's evaluation
    ///      verifier (the funder states what it pays for; the owner cannot swap it later), with
    ///      TrainingLedgerModelDeprecated for a deprecated model and TrainingLedgerZeroShares for a dust amount.
    /// @param modelId A model whose training is initialized.
    /// @param amount Tokens to pull from the caller, > 0.
    /// @param evalVerifier The evaluation verifier the funder accepts.
    function fund(uint256 modelId, uint256 amount, address evalVerifier) external;

    /// @notice Burns all the caller's shares of a model's budget and pays it `budget · shares / totalShares`,
    ///         floored (the last shareholder gets the whole rest). Allowed once the model is deprecated in the
    ///         registry or when no step was verified for `FUNDING_TIMEOUT` (since `initTraining` if none).
    /// @param modelId A model whose training is initialized and in which the caller holds current-era shares.
    function refund(uint256 modelId) external;

    /// @notice Verifies a held-out evaluation of the head at lineage position `position` and, if it beats the
    ///         best score so far, closes the open epoch `[epochStart, position)` with an improvement reward (see
    ///         "Epochs of improvement" above).
    /// @dev Public inputs: `[head(position), evalRoot, correct, lossSum, total + (uint160(msg.sender) << 88)]`.
    ///      `position` must be in `[nextEval, lineageLength]`. The first evaluation sets the baseline and closes
    ///      the open epoch with reward 0. An improvement needs `gain · pointReward <= budget`, else it reverts
    ///      with TrainingLedgerBudgetShort and changes nothing.
    /// @param modelId A model whose training is initialized.
    /// @param position Lineage position of the evaluated head (0 = the initial head).
    /// @param correct Held-out samples classified correctly, <= `total`.
    /// @param total Held-out samples evaluated, > 0.
    /// @param lossSum Summed loss over the held-out samples.
    /// @param proof Groth16 proof [A.x, A.y, B.x.c1, B.x.c0, B.y.c1, B.y.c0, C.x, C.y].
    function submitEval(
        uint256 modelId,
        uint64 position,
        uint32 correct,
        uint32 total,
        uint64 lossSum,
        uint256[8] calldata proof
    ) external;

    /// @notice Credits the caller's share of a closed epoch's improvement reward: `reward · work / epochWork`,
    ///         `work` being the caller's work units in the epoch's positions `[start, end)`, floored (the
    ///         rounding dust stays in the contract). Once per prover and epoch; no token moves.
    /// @param modelId The model.
    /// @param epoch A closed epoch (below the model's open epoch) in which the caller has unclaimed work.
    function claimImprovement(uint256 modelId, uint64 epoch) external;

    /// @notice Pays the caller every reward credited to it (step rewards and claimed shares, all models).
    function withdraw() external;

    /// @notice The current head of a model (0 if not initialized).
    function headOf(uint256 modelId) external view returns (uint256);

    /// @notice The head at lineage position `position` (the initial head at 0).
    /// @dev Reverts with TrainingLedgerLineageOutOfRange past the lineage length.
    function headAt(uint256 modelId, uint256 position) external view returns (uint256);

    /// @notice A model's training state (all zero if not initialized).
    function trainingOf(uint256 modelId) external view returns (Training memory);

    /// @notice The batch seed of the model's next entry, as `submitStep` uses it now (see "Seed" above).
    function seedOf(uint256 modelId) external view returns (uint256);

    /// @notice Number of verified entries (proofs) in a model's lineage.
    function lineageLength(uint256 modelId) external view returns (uint256);

    /// @notice The `index`-th verified entry of a model (its step word is `index · stepsPerProof`).
    function lineageAt(uint256 modelId, uint256 index) external view returns (Step memory);

    /// @notice Work units credited to a prover across all models.
    function workOf(address prover) external view returns (uint256);

    /// @notice The verified evaluation of the head at a lineage position (all zero if not evaluated).
    function scoreAt(uint256 modelId, uint256 position) external view returns (Score memory);

    /// @notice Work, improvement reward and positions of a model's epoch (the open one: its work so far).
    function epochOf(uint256 modelId, uint64 epoch) external view returns (EpochTotals memory);

    /// @notice A prover's unclaimed work units in a model's epoch (0 once its share is claimed).
    function epochWorkOf(uint256 modelId, uint64 epoch, address prover) external view returns (uint256);

    /// @notice A funder's shares of a model's budget in the current era (0 for shares of an older era).
    function sharesOf(uint256 modelId, address funder) external view returns (uint256);

    /// @notice Rewards credited to a prover and not yet withdrawn.
    function creditsOf(address prover) external view returns (uint256);

    /// @notice The ERC-20 reward token.
    function rewardToken() external view returns (address);

    /// @notice The model registry the ledger reads owners, kinds, verifiers and work units from.
    function registry() external view returns (address);

    /// @notice Domain separator of the seed: `keccak256("mlproof.training.seed.v1")`.
    function SEED_DOMAIN() external view returns (bytes32);

    /// @notice Time without a verified step after which funders may refund (30 days).
    function FUNDING_TIMEOUT() external view returns (uint256);
}
