// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title ITrainingLedger
/// @notice Proven training lineages. A training model (registry `Kind.Training`) gets a data set root, a held-out
///         evaluation root and an initial weights commitment (`head`) from its owner. Provers then extend the head
///         one proven SGD step at a time: `claimStep` fixes a seed block, `submitStep` verifies a proof that the
///         step moves `head` to `headAfter` on the batch that seed picks from the data set, records the step in the
///         model's lineage and credits the model's work units to the prover.
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
interface ITrainingLedger {
    /// @notice A model's training state.
    /// @param datasetRoot Poseidon Merkle root of the training set (< r).
    /// @param evalRoot Poseidon Merkle root of the held-out evaluation set (< r).
    /// @param head Poseidon commitment to the current weights (< r).
    /// @param verifier The model's step verifier, snapshotted from the registry at `initTraining`.
    /// @param steps Number of verified steps, which is also the number of the next step.
    /// @param workUnits Work units credited per verified step, snapshotted from the registry.
    struct Training {
        bytes32 datasetRoot;
        uint256 evalRoot;
        uint256 head;
        address verifier;
        uint64 steps;
        uint64 workUnits;
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

    /// @notice Emitted when a model's training is initialized.
    event TrainingInitialized(
        uint256 indexed modelId, bytes32 datasetRoot, uint256 evalRoot, uint256 initialHead, address verifier
    );
    /// @notice Emitted when `prover` claims step `step` of a model in block `blockNumber`.
    event StepClaimed(uint256 indexed modelId, address indexed prover, uint64 step, uint64 blockNumber);
    /// @notice Emitted when a step is verified and becomes the model's head.
    event StepVerified(
        uint256 indexed modelId, uint64 indexed step, uint256 headBefore, uint256 headAfter, address indexed prover
    );

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

    /// @notice Initializes a training model's roots and initial head. Once per model; the model's owner only.
    /// @param modelId Registry id of an active `Kind.Training` model with the layout above.
    /// @param datasetRoot Merkle root of the training set, in (0, r).
    /// @param evalRoot Merkle root of the held-out set, in (0, r).
    /// @param initialHead Commitment to the initial weights, in (0, r).
    function initTraining(uint256 modelId, bytes32 datasetRoot, uint256 evalRoot, uint256 initialHead) external;

    /// @notice Claims the model's next step for the caller, recording the current block as the claim block.
    /// @dev The model must be active. Reverts with TrainingLedgerClaimOpen while the caller's previous claim is
    ///      for the current step and not expired.
    /// @param modelId A model whose training is initialized.
    /// @return step The step number claimed.
    function claimStep(uint256 modelId) external returns (uint64 step);

    /// @notice Verifies one SGD step from the current head, moves the head and credits the caller.
    /// @dev Public inputs: `[headBefore, headAfter, datasetRoot, seed, step + (uint160(msg.sender) << 88)]`.
    ///      Needs the caller's claim on the current step, with its seed readable. Allowed after the model is
    ///      deprecated (only new claims are refused then).
    /// @param modelId The model.
    /// @param headBefore Must equal the current head.
    /// @param headAfter The new head, in (0, r) and different from `headBefore`.
    /// @param proof Groth16 proof [A.x, A.y, B.x.c1, B.x.c0, B.y.c1, B.y.c0, C.x, C.y].
    function submitStep(uint256 modelId, uint256 headBefore, uint256 headAfter, uint256[8] calldata proof)
        external;

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

    /// @notice The model registry the ledger reads owners, kinds, verifiers and work units from.
    function registry() external view returns (address);

    /// @notice Blocks after the seed block during which a claim's seed stays readable (256).
    function CLAIM_WINDOW() external view returns (uint256);
}
