// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title ITrainingLedger
/// @notice Proven training lineages, proven evaluation and the rewards that pay for both. A training model
///         (registry `Kind.Training`) gets a data set root, a held-out evaluation root, an initial weights
///         commitment (`head`), an evaluation verifier and two reward rates from its owner (`initTraining`).
///         Provers then extend the head one proven SGD step at a time: `claimStep` fixes a seed block,
///         `submitStep` verifies a proof that the step moves `head` to `headAfter` on the batch that seed picks
///         from the data set, records the step in the model's lineage, credits the model's work units to the
///         prover and pays it a step reward. Anyone may `submitEval` a proof of the current head's score on the
///         held-out set; a score above the best so far closes an epoch with an improvement reward that the
///         epoch's provers share pro rata to their work (`claimImprovement`). Rewards come from a per-model
///         budget anyone can `fund`, and are paid out by a pull-based `withdraw`.
/// @dev Self-contained (no imports) so that the Rust side can bind it with alloy `sol!`.
///
///      Registry layout convention for a training model: `inputWords = 4` (`headBefore, headAfter, datasetRoot,
///      seed`), `outputWords = 1` (`step + prover·2^88`, the payee word as in inference) and public weights, so
///      the verifier expects exactly 5 public inputs, in the order
///      `[headBefore, headAfter, datasetRoot, seed, step + (uint160(prover) << 88)]`
///      (`circuits/src/train_circuit.rs`, with data provenance). `initTraining` refuses any other layout.
///
///      Seed: `uint256(blockhash(claimBlock + 1)) % r`. That block does not exist when the claim is made, so the
///      prover cannot choose its batch; it can be read from `claimBlock + 2` on, and expires once `blockhash` no
///      longer returns it (256 blocks later). A prover may re-claim only once its claim is expired or stale, so
///      one address sees at most one seed per step per 256 blocks (a block proposer can still bias the hash of a
///      block it builds; the batch is honest SGD on data set samples either way).
///
///      Replay: a verified step can never be submitted again, for two independent reasons: `head` has moved to
///      `headAfter` (which must differ from `headBefore`), so `headBefore` no longer equals the head
///      (`TrainingLedgerNotHead`); and the step number in the last public input has been incremented, so even the
///      same heads would be a different statement. The payee is bound the same way as in inference: the proof
///      verifies only for the `msg.sender` packed at bit 88, so a proof copied from the mempool is useless.
///
///      Evaluation: the evaluation verifier (set per model at `initTraining`) expects exactly 5 public inputs,
///      `[head, evalRoot, correct, lossSum, total + (uint160(evaluator) << 88)]`: the current head scores
///      `correct` right answers out of `total` held-out samples with summed loss `lossSum`, and the evaluator
///      (`msg.sender`) is bound like a payee. Each head is evaluated at most once (the head is the replay key;
///      Groth16 proofs are malleable, so proof bytes never are).
///
///      Epochs of improvement: verified steps add their work units to the model's open epoch. The first
///      evaluation sets the baseline (`bestCorrect`) and closes the open epoch with no reward: work done before
///      any evaluation earns step rewards only. Afterwards an evaluation that beats `bestCorrect` closes the open
///      epoch with `min((correct - bestCorrect) · pointReward, budget)` (0 if the epoch has no work), which its
///      provers claim pro rata to their work in it; an evaluation that does not beat it only records the score,
///      and the epoch stays open so its steps still wait for an improvement.
///
///      Money: the reward token is one ERC-20 for all models. Each model has a budget, filled by `fund` and
///      drawn by step rewards (`min(stepReward, budget)` per verified step) and improvement rewards; the
///      ledger's balance always covers every budget, every credit and every unclaimed share of a closed epoch.
///      Shares are floored; the rounding dust of an epoch stays in the contract. Tokens leave only by `withdraw`.
interface ITrainingLedger {
    /// @notice Parameters of `initTraining`.
    /// @param datasetRoot Poseidon Merkle root of the training set, in (0, r).
    /// @param evalRoot Poseidon Merkle root of the held-out evaluation set, in (0, r).
    /// @param initialHead Poseidon commitment to the initial weights, in (0, r).
    /// @param evalVerifier Groth16 verifier of the evaluation circuit (5 public inputs); must have code.
    /// @param stepReward Reward tokens per verified step (capped by the model's budget).
    /// @param pointReward Reward tokens per held-out correct answer gained over the best score so far.
    /// @param stepsPerProof SGD steps `k` each step proof covers (fixed by the step verifier's circuit), in
    ///        [1, 64]; `stepReward` and the work units are per proof.
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
    /// @param steps Number of verified steps, which is also the number of the next step.
    /// @param workUnits Work units credited per verified step, snapshotted from the registry.
    /// @param epoch The open epoch of improvement (every lower epoch is closed).
    /// @param bestCorrect Best held-out score so far (the baseline after the first evaluation); never decreases.
    /// @param hasBaseline Whether a first evaluation has set `bestCorrect`.
    /// @param stepsPerProof SGD steps each step proof covers.
    /// @param evalVerifier The model's evaluation verifier, set at `initTraining`.
    /// @param stepReward Reward tokens per verified step.
    /// @param pointReward Reward tokens per held-out correct answer gained.
    /// @param budget Reward tokens funded and not yet credited or allotted to an epoch.
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
    }

    /// @notice A prover's open claim on a model's next step.
    /// @param step The step number claimed (the model's step count when claimed).
    /// @param blockNumber The block of the claim; the seed is the hash of the block after it. 0 if none.
    struct Claim {
        uint64 step;
        uint64 blockNumber;
    }

    /// @notice One verified step of a model's lineage.
    /// @param headBefore Head the step started from.
    /// @param headAfter Head the step produced.
    /// @param prover Account that proved it (and was credited).
    /// @param step Step number (its index in the lineage).
    /// @param blockNumber Block in which it was verified.
    struct Step {
        uint256 headBefore;
        uint256 headAfter;
        address prover;
        uint64 step;
        uint64 blockNumber;
    }

    /// @notice A verified evaluation of one head on the held-out set.
    /// @param correct Held-out samples the head classifies correctly.
    /// @param total Held-out samples evaluated (> 0; 0 means the head was never evaluated).
    /// @param lossSum Summed loss over the held-out samples, in the circuit's fixed-point units.
    /// @param epoch The epoch the head belongs to (the open epoch when evaluated; an improvement closes it).
    /// @param blockNumber Block in which the evaluation was verified.
    /// @param evaluator Account that submitted the proof (bound into it).
    struct Score {
        uint32 correct;
        uint32 total;
        uint64 lossSum;
        uint64 epoch;
        uint64 blockNumber;
        address evaluator;
    }

    /// @notice One epoch of improvement of a model.
    /// @param work Work units verified in the epoch.
    /// @param reward Improvement reward the epoch closed with, shared pro rata to work (0 while open).
    struct EpochTotals {
        uint256 work;
        uint256 reward;
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
    /// @notice Emitted when `prover` claims step `step` of a model in block `blockNumber`.
    event StepClaimed(uint256 indexed modelId, address indexed prover, uint64 step, uint64 blockNumber);
    /// @notice Emitted when a step is verified and becomes the model's head.
    event StepVerified(
        uint256 indexed modelId, uint64 indexed step, uint256 headBefore, uint256 headAfter, address indexed prover
    );
    /// @notice Emitted when `funder` adds `amount` to a model's reward budget.
    event TrainingFunded(uint256 indexed modelId, address indexed funder, uint256 amount);
    /// @notice Emitted when a step reward of `amount` from a model's budget is credited to `prover`.
    event RewardCredited(address indexed prover, uint256 indexed modelId, uint256 amount);
    /// @notice Emitted when an evaluation of `head` is verified. `epoch` is the epoch the head belongs to;
    ///         `reward` is what that epoch closed with (0 for the baseline, or when the score did not improve).
    event EvaluationVerified(
        uint256 indexed modelId,
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
    /// @notice The caller already holds a claim on the model's next step that has not expired.
    error TrainingLedgerClaimOpen(uint256 modelId, address prover, uint64 blockNumber);
    /// @notice The prover holds no claim on the model.
    error TrainingLedgerNoClaim(uint256 modelId, address prover);
    /// @notice The prover's claim is for a step that another prover has already verified.
    error TrainingLedgerStaleClaim(uint256 modelId, uint64 claimedStep, uint64 nextStep);
    /// @notice The seed block (claim block + 1) is not yet in the past.
    error TrainingLedgerSeedUnavailable(uint256 modelId, uint256 seedBlock);
    /// @notice The seed block is more than 256 blocks old; its hash is gone. Claim again.
    error TrainingLedgerClaimExpired(uint256 modelId, uint256 seedBlock);
    /// @notice The step does not start from the model's current head.
    error TrainingLedgerNotHead(uint256 modelId, uint256 headBefore, uint256 head);
    /// @notice `headAfter` is zero, not below r, or equal to `headBefore` (a step must move the head).
    error TrainingLedgerInvalidHeadAfter(uint256 headAfter);
    /// @notice The proof does not verify for these public inputs.
    error TrainingLedgerInvalidProof(uint256 modelId, uint64 step);
    /// @notice No lineage entry at this index.
    error TrainingLedgerLineageOutOfRange(uint256 modelId, uint256 index, uint256 length);
    /// @notice The evaluation verifier has no code.
    error TrainingLedgerInvalidEvalVerifier(address evalVerifier);
    /// @notice `stepsPerProof` is outside [1, 64].
    error TrainingLedgerInvalidStepsPerProof(uint64 stepsPerProof);
    /// @notice Amount must be non-zero.
    error TrainingLedgerZeroAmount();
    /// @notice The model's current head was already evaluated (a head is evaluated once).
    error TrainingLedgerAlreadyEvaluated(uint256 modelId, uint256 head);
    /// @notice The score is not `0 < total` and `correct <= total`.
    error TrainingLedgerInvalidScore(uint32 correct, uint32 total);
    /// @notice The evaluation proof does not verify for these public inputs.
    error TrainingLedgerInvalidEvalProof(uint256 modelId, uint256 head);
    /// @notice The epoch is still open (or not reached yet); only closed epochs can be claimed.
    error TrainingLedgerEpochOpen(uint256 modelId, uint64 epoch);
    /// @notice The prover has no unclaimed work in the epoch.
    error TrainingLedgerNothingToClaim(uint256 modelId, uint64 epoch, address prover);
    /// @notice The caller has no credited rewards.
    error TrainingLedgerNothingToWithdraw(address prover);

    /// @notice Initializes a training model's roots, initial head, evaluation verifier and reward rates. Once per
    ///         model; the model's owner only. The budget starts at 0 (see `fund`).
    /// @param modelId Registry id of an active `Kind.Training` model with the layout above.
    /// @param p Roots and head in (0, r), an evaluation verifier with code, and the reward rates.
    function initTraining(uint256 modelId, TrainingParams calldata p) external;

    /// @notice Claims the model's next step for the caller, recording the current block as the claim block.
    /// @dev The model must be active. Reverts with TrainingLedgerClaimOpen while the caller's previous claim is
    ///      for the current step and not expired.
    /// @param modelId A model whose training is initialized.
    /// @return step The step number claimed.
    function claimStep(uint256 modelId) external returns (uint64 step);

    /// @notice Verifies `stepsPerProof` SGD steps from the current head (steps `step .. step + k - 1`, each on
    ///         the batch the seed and its own step number select), moves the head and credits the caller: the
    ///         model's work units (lifetime and in the open epoch) and a step reward of `min(stepReward, budget)`.
    /// @dev Public inputs: `[headBefore, headAfter, datasetRoot, seed, step + (uint160(msg.sender) << 88)]`,
    ///      `step` being the first step; the step count then grows by `stepsPerProof`.
    ///      Needs the caller's claim on the current step, with its seed readable. Allowed after the model is
    ///      deprecated (only new claims are refused then). Emits RewardCredited only for a non-zero reward.
    /// @param modelId The model.
    /// @param headBefore Must equal the current head.
    /// @param headAfter The new head, in (0, r) and different from `headBefore`.
    /// @param proof Groth16 proof [A.x, A.y, B.x.c1, B.x.c0, B.y.c1, B.y.c0, C.x, C.y].
    function submitStep(uint256 modelId, uint256 headBefore, uint256 headAfter, uint256[8] calldata proof)
        external;

    /// @notice Adds `amount` reward tokens to a model's budget (requires ERC-20 approval). Anyone may fund.
    /// @param modelId A model whose training is initialized.
    /// @param amount Tokens to pull from the caller, > 0.
    function fund(uint256 modelId, uint256 amount) external;

    /// @notice Verifies a held-out evaluation of the model's current head and, if it beats the best score so
    ///         far, closes the open epoch with an improvement reward (see "Epochs of improvement" above).
    /// @dev Public inputs: `[head, evalRoot, correct, lossSum, total + (uint160(msg.sender) << 88)]`. Reverts
    ///      with TrainingLedgerAlreadyEvaluated if the head has a score. The first evaluation sets the baseline
    ///      and closes the open epoch with reward 0.
    /// @param modelId A model whose training is initialized.
    /// @param correct Held-out samples classified correctly, <= `total`.
    /// @param total Held-out samples evaluated, > 0.
    /// @param lossSum Summed loss over the held-out samples.
    /// @param proof Groth16 proof [A.x, A.y, B.x.c1, B.x.c0, B.y.c1, B.y.c0, C.x, C.y].
    function submitEval(uint256 modelId, uint32 correct, uint32 total, uint64 lossSum, uint256[8] calldata proof)
        external;

    /// @notice Credits the caller's share of a closed epoch's improvement reward: `reward · work / epochWork`,
    ///         floored (the rounding dust stays in the contract). Once per prover and epoch; no token moves.
    /// @param modelId The model.
    /// @param epoch A closed epoch (below the model's open epoch) in which the caller has unclaimed work.
    function claimImprovement(uint256 modelId, uint64 epoch) external;

    /// @notice Pays the caller every reward credited to it (step rewards and claimed shares, all models).
    function withdraw() external;

    /// @notice The current head of a model (0 if not initialized).
    function headOf(uint256 modelId) external view returns (uint256);

    /// @notice A model's training state (all zero if not initialized).
    function trainingOf(uint256 modelId) external view returns (Training memory);

    /// @notice A prover's claim on a model (all zero if none).
    function claimOf(uint256 modelId, address prover) external view returns (Claim memory);

    /// @notice The seed of a prover's claim, as `submitStep` would use it now.
    /// @dev Reverts like `submitStep` would: TrainingLedgerNoClaim, TrainingLedgerSeedUnavailable or
    ///      TrainingLedgerClaimExpired (a stale claim still has a seed, but cannot be submitted).
    function seedOf(uint256 modelId, address prover) external view returns (uint256);

    /// @notice Number of verified steps in a model's lineage.
    function lineageLength(uint256 modelId) external view returns (uint256);

    /// @notice The `index`-th verified step of a model (index = step number).
    function lineageAt(uint256 modelId, uint256 index) external view returns (Step memory);

    /// @notice Work units credited to a prover across all models.
    function workOf(address prover) external view returns (uint256);

    /// @notice The verified evaluation of a model's head (all zero if that head was never evaluated).
    function scoreOf(uint256 modelId, uint256 head) external view returns (Score memory);

    /// @notice Work and improvement reward of a model's epoch.
    function epochOf(uint256 modelId, uint64 epoch) external view returns (EpochTotals memory);

    /// @notice A prover's unclaimed work units in a model's epoch (0 once its share is claimed).
    function epochWorkOf(uint256 modelId, uint64 epoch, address prover) external view returns (uint256);

    /// @notice Rewards credited to a prover and not yet withdrawn.
    function creditsOf(address prover) external view returns (uint256);

    /// @notice The ERC-20 reward token.
    function rewardToken() external view returns (address);

    /// @notice The model registry the ledger reads owners, kinds, verifiers and work units from.
    function registry() external view returns (address);

    /// @notice Blocks after the seed block during which a claim's seed stays readable (256).
    function CLAIM_WINDOW() external view returns (uint256);
}
