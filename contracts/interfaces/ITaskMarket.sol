// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title ITaskMarket
/// @notice Requesters post inference tasks with an escrowed bounty; a staked prover may lock a task with
///         collateral and must fulfil it with a proof before the deadline, or anyone may slash it afterwards.
///         Unlocked tasks can be fulfilled by any eligible prover.
/// @dev Storage keeps one slot per statement (`statementId = keccak256(abi.encode(modelId, inputCommitment))`):
///      the hash of the open task, or the verified output. Callers pass the task itself (from the TaskPosted and
///      TaskLocked events, or `mlproof task show`), which keeps a fulfilment to two storage reads besides the
///      proof. The statement is the replay key, so an output is verified and paid at most once.
interface ITaskMarket {
    /// @notice A task as hashed into storage. The model fields are snapshotted from the registry at posting.
    /// @param requester Who posted the task and is refunded on expiry or slash.
    /// @param modelId Registry id of the model.
    /// @param deadline Last second at which the task can be fulfilled.
    /// @param verifier The model's verifier.
    /// @param workUnits The model's work units per proof.
    /// @param outputWords Number of packed output words the proof carries.
    /// @param privateWeights Whether `weightsCommitment` is a public input.
    /// @param weightsCommitment The model's Poseidon weights commitment (private weights only).
    /// @param bounty Escrowed payment for a fulfilment.
    /// @param collateral Stake a prover locks to take the task exclusively.
    /// @param prover The prover that locked the task, or zero while unlocked.
    /// @param input The input's public-input words (packed values, or one Poseidon commitment).
    struct Task {
        address requester;
        uint64 modelId;
        uint32 deadline;
        address verifier;
        uint64 workUnits;
        uint32 outputWords;
        bool privateWeights;
        uint256 weightsCommitment;
        uint96 bounty;
        uint96 collateral;
        address prover;
        uint256[] input;
    }

    /// @notice Emitted when a task is posted; `inputData` is requester-chosen (e.g. the input and its salt, or a URI).
    event TaskPosted(bytes32 indexed statementId, uint256 indexed modelId, address indexed requester, Task task, bytes inputData);
    /// @notice Emitted when `prover` locks the task, locking `collateral` of its stake.
    event TaskLocked(bytes32 indexed statementId, address indexed prover, uint256 collateral);
    /// @notice Emitted when a locked task past its deadline is slashed by `caller`.
    event TaskSlashed(
        bytes32 indexed statementId,
        address indexed prover,
        address indexed caller,
        uint256 toRequester,
        uint256 toCaller,
        uint256 burned,
        uint256 toTreasury
    );
    /// @notice Emitted when an unlocked task is cancelled (by its requester, or by anyone after the deadline).
    event TaskCancelled(bytes32 indexed statementId, address indexed requester);

    /// @notice The model is not an active inference model.
    error TaskMarketModelNotAvailable(uint256 modelId);
    /// @notice The input does not have the model's number of words.
    error TaskMarketWrongInputLength(uint256 got, uint256 expected);
    /// @notice The output does not have the model's number of words.
    error TaskMarketWrongOutputLength(uint256 got, uint256 expected);
    /// @notice An input word is not a BN254 scalar (>= r): no proof could ever match it.
    error TaskMarketInputNotInField(uint256 index);
    /// @notice The bounty is below the minimum or above what the market accepts (uint96).
    error TaskMarketInvalidBounty(uint256 bounty, uint256 min);
    /// @notice The collateral is below the minimum or above uint96.
    error TaskMarketInvalidCollateral(uint256 collateral, uint256 min);
    /// @notice The deadline must lie in (now + minTaskDuration, now + maxTaskDuration].
    error TaskMarketInvalidDeadline(uint256 deadline);
    /// @notice A task for this statement is open, or its output is already verified.
    error TaskMarketStatementTaken(bytes32 statementId);
    /// @notice The task passed does not match the open task stored for its statement.
    error TaskMarketUnknownTask(bytes32 statementId);
    /// @notice The task is locked (by `prover`).
    error TaskMarketLocked(bytes32 statementId, address prover);
    /// @notice The task is not locked.
    error TaskMarketNotLocked(bytes32 statementId);
    /// @notice The deadline has passed.
    error TaskMarketExpired(bytes32 statementId, uint256 deadline);
    /// @notice The deadline has not passed yet.
    error TaskMarketNotExpired(bytes32 statementId, uint256 deadline);
    /// @notice Only the requester may cancel before the deadline.
    error TaskMarketNotRequester(bytes32 statementId, address caller);
    /// @notice The caller is not eligible to prove (stake below minimum, or a slash pending).
    error TaskMarketNotEligible(address prover);
    /// @notice The last output word has bits set at or above bit 88 (the payee slot the market fills in).
    error TaskMarketOutputNotPacked(bytes32 statementId);
    /// @notice The proof does not verify for this statement and caller.
    error TaskMarketInvalidProof(bytes32 statementId);

    /// @notice Posts a task, escrowing `bounty` (requires ERC-20 approval).
    /// @return statementId The task's id and replay key.
    function postTask(
        uint256 modelId,
        uint256[] calldata input,
        uint256 bounty,
        uint256 collateral,
        uint256 deadline,
        bytes calldata inputData
    ) external returns (bytes32 statementId);

    /// @notice Locks an unlocked task for the caller, locking `task.collateral` of its free stake until the deadline.
    function lockTask(Task calldata task) external;

    /// @notice Fulfils a task with a proof. A locked task only by its prover; an unlocked one by any eligible prover.
    ///         Records the output, releases the collateral, credits the bounty and the work units. Emits only
    ///         IVerifiedOutputs.OutputVerified (its topics give the statement id; the task gives bounty and units).
    /// @dev The proof's public inputs are `input ++ output ++ [weightsCommitment]` with `msg.sender` added to the
    ///      last output word at bit 88; `output` is passed with those bits clear.
    /// @param proof Groth16 proof [A.x, A.y, B.x.c1, B.x.c0, B.y.c1, B.y.c0, C.x, C.y].
    function fulfil(Task calldata task, uint256[] calldata output, uint256[8] calldata proof) external;

    /// @notice Slashes a locked task past its deadline: the collateral is split between requester, caller,
    ///         burn and treasury; the bounty is refunded to the requester. Once per lock.
    function slash(Task calldata task) external;

    /// @notice Cancels an unlocked task and refunds the bounty: the requester at any time, anyone after the deadline.
    function cancelTask(Task calldata task) external;

    /// @notice Statement id for (modelId, input words).
    function statementId(uint256 modelId, uint256[] calldata input) external pure returns (bytes32);
    /// @notice The open task hash for a statement, or zero if none is open.
    function openTaskHash(bytes32 statementId) external view returns (bytes32);
    /// @notice keccak256 of the task's ABI tuple encoding (`abi.encode(task)` without its leading offset word), top
    ///         bit cleared, as stored for open tasks.
    function taskHash(Task calldata task) external pure returns (bytes32);
}
