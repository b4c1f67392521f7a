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
    /// @notice A task as hashed into storage. The model fields are snapshotted from the registry at posting, the
    ///         price and slash terms are fixed when the task is locked.
    /// @param requester Who posted the task; refunded on cancellation, expiry or slash.
    /// @param modelId Registry id of the model.
    /// @param deadline Last second at which the task can be fulfilled, extended by time the market spends paused
    ///        after posting (`effectiveDeadline`).
    /// @param verifier The model's verifier.
    /// @param workUnits The model's work units per proof (informational; emissions follow fees).
    /// @param outputWords Number of packed output words the proof carries.
    /// @param privateWeights Whether `weightsCommitment` is a public input.
    /// @param weightsCommitment The model's Poseidon weights commitment (private weights only).
    /// @param bounty Escrowed maximum payment; the price once locked.
    /// @param minPrice Price at `rampStart`; equals `bounty` for a fixed-price task and once locked.
    /// @param rampStart Second from which the price rises linearly from `minPrice`...
    /// @param rampEnd ...to `bounty`, reached at `rampEnd` (equal to `rampStart` for a fixed price).
    /// @param fee Escrowed protocol fee at the full bounty; scaled with the price when taken (`feeAt`).
    /// @param collateral Stake a prover locks to take the task exclusively.
    /// @param pauseClock The market's pause clock (`pauseClock()`) when the task was posted.
    /// @param slashRequesterBps Share of the collateral paid to the requester on slash (fixed at lock; 0 while open).
    /// @param slashCallerBps Share paid to the caller of `slash` (fixed at lock).
    /// @param slashBurnBps Share burned (fixed at lock); the rest goes to the treasury.
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
        uint96 minPrice;
        uint32 rampStart;
        uint32 rampEnd;
        uint96 fee;
        uint96 collateral;
        uint32 pauseClock;
        uint16 slashRequesterBps;
        uint16 slashCallerBps;
        uint16 slashBurnBps;
        address prover;
        uint256[] input;
    }

    /// @notice What a requester offers for a task (`postTaskWithOffer`): a reverse-Dutch price ramp.
    /// @param minPrice Price during the first `rampDelay` seconds.
    /// @param bounty Maximum price, reached `rampDelay + rampPeriod` seconds after posting.
    /// @param rampDelay Seconds after posting before the price starts rising.
    /// @param rampPeriod Seconds over which the price rises from `minPrice` to `bounty` (0: fixed price).
    /// @param collateral Stake a prover locks to take the task exclusively.
    /// @param deadline Last second at which the task can be fulfilled.
    struct Offer {
        uint256 minPrice;
        uint256 bounty;
        uint32 rampDelay;
        uint32 rampPeriod;
        uint256 collateral;
        uint256 deadline;
    }

    /// @notice Emitted when a task is posted; `inputData` is requester-chosen (e.g. the input and its salt, or a URI).
    event TaskPosted(bytes32 indexed statementId, uint256 indexed modelId, address indexed requester, Task task, bytes inputData);
    /// @notice Emitted when `prover` locks the task at the current price; `task` is the task as now stored (pass it
    ///         to `fulfil` or `slash`).
    event TaskLocked(bytes32 indexed statementId, address indexed prover, Task task);
    /// @notice Emitted when the requester asks to cancel an unlocked task; fulfilments are still accepted until
    ///         the notice ends, `CANCEL_NOTICE` seconds of unpaused market time later. `dueAt` is the wall-clock
    ///         estimate if the market is not paused again (requested during a pause, it is later by the rest of
    ///         that pause); `cancelDueAt` gives the current estimate.
    event TaskCancelRequested(bytes32 indexed statementId, address indexed requester, uint256 dueAt);
    /// @notice Emitted when an unlocked task is replaced by a better-paid one for the same statement; the previous
    ///         requester is refunded and a TaskPosted event carries the new task.
    event TaskOutbid(bytes32 indexed statementId, address indexed previousRequester, address indexed requester);
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
    /// @notice Emitted when an unlocked task is cancelled (after its notice, or by anyone after the deadline).
    event TaskCancelled(bytes32 indexed statementId, address indexed requester);
    /// @notice Emitted by `fulfilBatch` for a task it left unpaid because the task was no longer open to the caller
    ///         when the batch landed (fulfilled, locked or outbid by someone else, cancelled, or expired).
    /// @param reason 1: not the open task (fulfilled, replaced or cancelled); 2: locked by another prover;
    ///        3: expired; 4: its cancellation is due.
    event TaskSkipped(bytes32 indexed statementId, uint8 reason);

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
    /// @notice The offer's price ramp is invalid: `minPrice` above `bounty` or below the minimum bounty, or a ramp
    ///         that does not end before the deadline.
    error TaskMarketInvalidOffer();
    /// @notice A cancellation was requested for this task: it can no longer be locked, nor fulfilled once due.
    error TaskMarketCancelling(bytes32 statementId);
    /// @notice The task cannot be cancelled yet: no cancellation is due and its deadline has not passed.
    error TaskMarketNotCancellable(bytes32 statementId);
    /// @notice An outbid's lowest price (`minPrice`) must be at least `MIN_OUTBID_BPS` above the open task's bounty.
    error TaskMarketOutbidTooLow(uint256 minPrice, uint256 needed);
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
    /// @notice The (effective) deadline has passed.
    error TaskMarketExpired(bytes32 statementId, uint256 deadline);
    /// @notice The deadline has not passed yet.
    error TaskMarketNotExpired(bytes32 statementId, uint256 deadline);
    /// @notice Only the requester may request a cancellation.
    error TaskMarketNotRequester(bytes32 statementId, address caller);
    /// @notice The caller is not eligible to prove (active stake below the minimum).
    error TaskMarketNotEligible(address prover);
    /// @notice The last output word has bits set at or above bit 88 (the payee slot the market fills in).
    error TaskMarketOutputNotPacked(bytes32 statementId);
    /// @notice The proof does not verify for this statement and caller.
    error TaskMarketInvalidProof(bytes32 statementId);
    /// @notice A batch is empty, larger than `MAX_BATCH`, or its arrays differ in length.
    error TaskMarketBatchSize(uint256 tasks, uint256 outputs, uint256 proofs);
    /// @notice Task `index` of a batch does not have a statement id above the previous one's (ids must be strictly
    ///         increasing, which also rules out a task twice).
    error TaskMarketBatchOrder(uint256 index);
    /// @notice Task `index` of a batch names another model or verifier than the batch's first paid task.
    error TaskMarketBatchMixed(uint256 index);
    /// @notice The batch of proofs does not verify for these statements and caller.
    error TaskMarketInvalidBatchProof();

    /// @notice Posts a fixed-price task, escrowing `bounty + feeFor(bounty)` (requires ERC-20 approval).
    /// @return statementId The task's id and replay key.
    function postTask(
        uint256 modelId,
        uint256[] calldata input,
        uint256 bounty,
        uint256 collateral,
        uint256 deadline,
        bytes calldata inputData
    ) external returns (bytes32 statementId);

    /// @notice Posts a task whose price rises from `offer.minPrice` to `offer.bounty` (a reverse-Dutch auction:
    ///         the first prover to lock or fulfil pays the requester's lowest acceptable price at that moment).
    ///         Escrows `offer.bounty + feeFor(offer.bounty)`; the unused part is refunded when the price is fixed.
    function postTaskWithOffer(uint256 modelId, uint256[] calldata input, Offer calldata offer, bytes calldata inputData)
        external
        returns (bytes32 statementId);

    /// @notice Replaces the open, unlocked task `open` with a new task for the same statement whose every price
    ///         (`offer.minPrice` up) is at least `MIN_OUTBID_BPS` above `open.bounty`; the previous requester is
    ///         refunded in full. Guards statements against squatting; a prover whose fulfil of `open` was
    ///         overtaken can send the same proof for the new task and is paid more.
    function outbidTask(Task calldata open, Offer calldata offer, bytes calldata inputData) external;

    /// @notice Locks an unlocked task for the caller at the current price (`priceAt`), locking `task.collateral`
    ///         of its free stake and fixing the slash terms in force; refunds the requester above the price.
    function lockTask(Task calldata task) external;

    /// @notice Fulfils a task with a proof. A locked task only by its prover, at the locked price; an unlocked one
    ///         by any eligible prover at the current price. Records the output, releases the collateral, credits
    ///         the price and the fee-weighted work. Emits IVerifiedOutputs.OutputVerified.
    /// @dev The proof's public inputs are `input ++ output ++ [weightsCommitment]` with `msg.sender` added to the
    ///      last output word at bit 88; `output` is passed with those bits clear.
    /// @param proof Groth16 proof [A.x, A.y, B.x.c1, B.x.c0, B.y.c1, B.y.c0, C.x, C.y].
    function fulfil(Task calldata task, uint256[] calldata output, uint256[8] calldata proof) external;

    /// @notice Fulfils many tasks of one model with one randomized batch check of their proofs (the verifier's
    ///         `verifyBatch`). Each paid task is settled exactly as `fulfil` would; a task that is no longer open to
    ///         the caller when the batch lands (fulfilled, locked or outbid by another, cancelled, expired) is
    ///         skipped with `TaskSkipped` and its proof left out of the check, so a competitor's race costs the
    ///         batch nothing. Malformed batches revert whole: an unsorted or repeated task, a mixed model or
    ///         verifier, a wrong output length, a pre-filled payee slot, an ineligible caller, an invalid proof.
    /// @dev `tasks` must be sorted by strictly increasing statement id. Statements bind `msg.sender` as in `fulfil`.
    /// @return paid Number of tasks fulfilled (the rest were skipped).
    function fulfilBatch(Task[] calldata tasks, uint256[][] calldata outputs, uint256[8][] calldata proofs)
        external
        returns (uint256 paid);

    /// @notice Slashes a locked task past its effective deadline with the slash terms fixed at its lock: the
    ///         collateral is split between requester, caller, burn and treasury; bounty and fee are refunded to
    ///         the requester. Not while paused.
    function slash(Task calldata task) external;

    /// @notice Starts the cancellation of an unlocked task (requester only). The task can no longer be locked;
    ///         fulfilments stay valid for `CANCEL_NOTICE` seconds of unpaused time, so a proof already sent is paid.
    function requestCancel(Task calldata task) external;

    /// @notice Cancels an unlocked task whose cancellation is due, or (anyone) one past its effective deadline;
    ///         refunds bounty and fee to the requester.
    function cancelTask(Task calldata task) external;

    /// @notice Statement id for (modelId, input words).
    function statementId(uint256 modelId, uint256[] calldata input) external pure returns (bytes32);
    /// @notice The open task hash for a statement, or zero if none is open.
    function openTaskHash(bytes32 statementId) external view returns (bytes32);
    /// @notice keccak256 of the task's ABI tuple encoding (`abi.encode(task)` without its leading offset word), top
    ///         bit cleared, as stored for open tasks.
    function taskHash(Task calldata task) external pure returns (bytes32);
    /// @notice The price of `task` at `timestamp` on its ramp (its bounty once locked).
    function priceAt(Task calldata task, uint256 timestamp) external pure returns (uint256);
    /// @notice The protocol fee taken for `task` at `price` (`task.fee * price / task.bounty`).
    function feeAt(Task calldata task, uint256 price) external pure returns (uint256);
    /// @notice The protocol fee escrowed for a bounty under the current parameters.
    function feeFor(uint256 bounty) external view returns (uint256);
    /// @notice `task.deadline` extended by the time the market has been paused since the task was posted.
    function effectiveDeadline(Task calldata task) external view returns (uint256);
    /// @notice When a requested cancellation becomes due (wall-clock estimate, assuming no further pause), or
    ///         zero if none was requested.
    function cancelDueAt(bytes32 statementId) external view returns (uint256);
    /// @notice Seconds of unpaused time between a cancellation request and the cancellation.
    function CANCEL_NOTICE() external view returns (uint256);
    /// @notice The most tasks one `fulfilBatch` takes.
    function MAX_BATCH() external view returns (uint256);
    /// @notice Minimum bounty increase of an outbid, in basis points of the open bounty.
    function MIN_OUTBID_BPS() external view returns (uint256);
}
