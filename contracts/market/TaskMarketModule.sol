// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IMarketGovernance} from "../interfaces/IMarketGovernance.sol";
import {IModelRegistry} from "../interfaces/IModelRegistry.sol";
import {IStaking} from "../interfaces/IStaking.sol";
import {ITaskMarket} from "../interfaces/ITaskMarket.sol";
import {IVerifiedOutputs} from "../interfaces/IVerifiedOutputs.sol";
import {Statement} from "../libraries/Statement.sol";
import {MarketStorage} from "./MarketStorage.sol";
import {RewardsModule} from "./RewardsModule.sol";
import {StakingModule} from "./StakingModule.sol";

/// @title TaskMarketModule
/// @notice Tasks with escrowed bounties, exclusive locks backed by collateral, proof fulfilment that records a
///         verified output, and slashing of locks that miss their deadline.
/// @dev Security:
///      - the payee is bound into the proven statement: the verifier checks the proof against
///        `input ++ output ++ [weightsCommitment]` with `msg.sender` packed into the last output word at bit 88
///        (`Statement.verifyInference`), so a proof copied from the mempool verifies for nobody else;
///      - replay is keyed on the statement (model id, input commitment), never on proof bytes;
///      - every state change happens before the only external calls (the `view` verifier, and the token);
///      - all payments except the burn are credits claimed later (pull payments).
abstract contract TaskMarketModule is ITaskMarket, IVerifiedOutputs, StakingModule, RewardsModule {
    /// @dev Burned slash shares go here (OpenZeppelin's ERC20 forbids transfers to address(0)).
    address internal constant BURN_ADDRESS = 0x000000000000000000000000000000000000dEaD;

    /// @inheritdoc ITaskMarket
    function postTask(
        uint256 modelId,
        uint256[] calldata input,
        uint256 bounty,
        uint256 collateral,
        uint256 deadline,
        bytes calldata inputData
    ) external nonReentrant whenNotPaused returns (bytes32 id) {
        IModelRegistry.Model memory model = _registry.getModel(modelId);
        if (!model.active || model.kind != IModelRegistry.Kind.Inference) revert TaskMarketModelNotAvailable(modelId);
        if (input.length != model.inputWords) revert TaskMarketWrongInputLength(input.length, model.inputWords);
        for (uint256 i; i < input.length; ++i) {
            if (input[i] >= Statement.SCALAR_FIELD) revert TaskMarketInputNotInField(i);
        }
        IMarketGovernance.Params memory p = _params;
        if (bounty < p.minBounty || bounty > type(uint96).max) revert TaskMarketInvalidBounty(bounty, p.minBounty);
        if (collateral < p.minCollateral || collateral > type(uint96).max) {
            revert TaskMarketInvalidCollateral(collateral, p.minCollateral);
        }
        if (deadline <= block.timestamp + p.minTaskDuration || deadline > block.timestamp + p.maxTaskDuration) {
            revert TaskMarketInvalidDeadline(deadline);
        }
        id = _statementId(modelId, input);
        if (_records[id] != 0) revert TaskMarketStatementTaken(id);

        Task memory task = Task({
            requester: msg.sender,
            modelId: uint64(modelId),
            deadline: uint32(deadline),
            verifier: model.verifier,
            workUnits: model.workUnits,
            outputWords: model.outputWords,
            privateWeights: model.privateWeights,
            weightsCommitment: model.weightsCommitment,
            bounty: uint96(bounty),
            collateral: uint96(collateral),
            prover: address(0),
            input: input
        });
        _records[id] = _hashEncoded(abi.encode(task));
        emit TaskPosted(id, modelId, msg.sender, task, inputData);
        SafeERC20.safeTransferFrom(_token, msg.sender, address(this), bounty);
    }

    /// @inheritdoc ITaskMarket
    function lockTask(Task calldata task) external whenNotPaused {
        (bytes32 id,) = _openTask(task);
        if (task.prover != address(0)) revert TaskMarketLocked(id, task.prover);
        if (block.timestamp > task.deadline) revert TaskMarketExpired(id, task.deadline);
        if (!isEligible(msg.sender)) revert TaskMarketNotEligible(msg.sender);

        _lockCollateral(msg.sender, task.collateral, task.deadline);
        Task memory locked = task;
        locked.prover = msg.sender;
        _records[id] = _hashEncoded(abi.encode(locked));
        emit TaskLocked(id, msg.sender, task.collateral);
    }

    /// @inheritdoc ITaskMarket
    /// @dev No reentrancy guard: the only external call is the `view` verifier (a STATICCALL, which cannot
    ///      change state), made before any effect.
    function fulfil(Task calldata task, uint256[] calldata output, uint256[8] calldata proof) external whenNotPaused {
        (bytes32 id, bytes32 inputHash) = _openTask(task);
        if (block.timestamp > task.deadline) revert TaskMarketExpired(id, task.deadline);
        if (task.prover != address(0)) {
            if (task.prover != msg.sender) revert TaskMarketLocked(id, task.prover);
        } else {
            IStaking.Account memory a = _accounts[msg.sender];
            if (a.active < _params.minStake || a.active == 0 || _slashPending(a)) {
                revert TaskMarketNotEligible(msg.sender);
            }
        }
        if (output.length != task.outputWords || output.length == 0) {
            revert TaskMarketWrongOutputLength(output.length, task.outputWords);
        }
        // A copier could otherwise pre-fill the payee bits so that its own address completes someone else's.
        if (!Statement.hasPayeeRoom(output[output.length - 1])) revert TaskMarketOutputNotPacked(id);
        // Verifies `input ++ output ++ [weightsCommitment]` with `msg.sender` bound into the last output word,
        // assembled in place from calldata; a verifier revert is bubbled up unchanged.
        if (
            !Statement.verifyInference(
                task.verifier, proof, task.input, output, task.privateWeights, task.weightsCommitment, msg.sender
            )
        ) revert TaskMarketInvalidProof(id);

        _records[id] = VERIFIED | output[0];
        if (output.length > 1) _extraOutput[id] = output[1:];
        if (task.prover != address(0)) _releaseCollateral(msg.sender, task.collateral);
        _recordWork(msg.sender, task.workUnits, task.bounty);
        emit OutputVerified(task.modelId, inputHash, msg.sender, output);
    }

    /// @inheritdoc ITaskMarket
    function slash(Task calldata task) external nonReentrant {
        (bytes32 id,) = _openTask(task);
        if (task.prover == address(0)) revert TaskMarketNotLocked(id);
        if (block.timestamp <= task.deadline) revert TaskMarketNotExpired(id, task.deadline);

        delete _records[id];
        uint96 collateral = task.collateral;
        _slashCollateral(task.prover, collateral);
        IMarketGovernance.Params memory p = _params;
        uint256 toRequester = uint256(collateral) * p.slashRequesterBps / 10_000;
        uint256 toCaller = uint256(collateral) * p.slashCallerBps / 10_000;
        uint256 burned = uint256(collateral) * p.slashBurnBps / 10_000;
        uint256 toTreasury = collateral - toRequester - toCaller - burned;
        _credit(task.requester, toRequester + task.bounty);
        _credit(msg.sender, toCaller);
        _credit(_treasury, toTreasury);
        emit TaskSlashed(id, task.prover, msg.sender, toRequester, toCaller, burned, toTreasury);
        if (burned != 0) SafeERC20.safeTransfer(_token, BURN_ADDRESS, burned);
    }

    /// @inheritdoc ITaskMarket
    function cancelTask(Task calldata task) external nonReentrant {
        (bytes32 id,) = _openTask(task);
        if (task.prover != address(0)) revert TaskMarketLocked(id, task.prover);
        if (msg.sender != task.requester && block.timestamp <= task.deadline) {
            revert TaskMarketNotRequester(id, msg.sender);
        }

        delete _records[id];
        _credit(task.requester, task.bounty);
        emit TaskCancelled(id, task.requester);
    }

    /// @inheritdoc IVerifiedOutputs
    function verifiedOutput(uint256 modelId, bytes32 inputCommitment)
        external
        view
        returns (bool verified, uint256[] memory output)
    {
        bytes32 id = keccak256(abi.encode(modelId, inputCommitment));
        uint256 record = _records[id];
        if (record & VERIFIED == 0) return (false, output);
        uint256[] storage extra = _extraOutput[id];
        output = new uint256[](1 + extra.length);
        output[0] = record & ~VERIFIED;
        for (uint256 i; i < extra.length; ++i) {
            output[i + 1] = extra[i];
        }
        return (true, output);
    }

    /// @inheritdoc ITaskMarket
    function statementId(uint256 modelId, uint256[] calldata input) external pure returns (bytes32) {
        return _statementId(modelId, input);
    }

    /// @inheritdoc ITaskMarket
    function openTaskHash(bytes32 id) external view returns (bytes32) {
        uint256 record = _records[id];
        return record & VERIFIED == 0 ? bytes32(record) : bytes32(0);
    }

    /// @inheritdoc ITaskMarket
    function taskHash(Task calldata task) external pure returns (bytes32) {
        return bytes32(_hashCalldata(task));
    }

    /// @dev The statement id and input hash of `task`, after checking that `task` is the open task stored for it.
    function _openTask(Task calldata task) private view returns (bytes32 id, bytes32 inputHash) {
        inputHash = keccak256(abi.encodePacked(task.input));
        id = keccak256(abi.encode(task.modelId, inputHash));
        uint256 record = _records[id];
        if (record == 0 || record & VERIFIED != 0 || record != _hashCalldata(task)) {
            revert TaskMarketUnknownTask(id);
        }
    }

    /// @dev keccak256(abi.encode(modelId, keccak256(abi.encodePacked(input)))).
    function _statementId(uint256 modelId, uint256[] calldata input) private pure returns (bytes32) {
        return keccak256(abi.encode(modelId, keccak256(abi.encodePacked(input))));
    }

    /// @dev Hash of a task: keccak256 of its ABI tuple encoding (`abi.encode(task)` without the leading offset
    ///      word), top bit cleared (never VERIFIED). Two ways to compute the same value: from memory when a task is
    ///      stored, and straight from calldata when one is passed back (no copy and re-encode).
    function _hashEncoded(bytes memory encoded) private pure returns (uint256 h) {
        assembly ("memory-safe") {
            h := keccak256(add(encoded, 0x40), sub(mload(encoded), 0x20))
        }
        h &= ~VERIFIED;
    }

    /// @dev The calldata tuple of `task` hashed in place. Its canonical layout is 12 head words (the last is the
    ///      input's offset, 0x180), the input's length and its words; any other layout changes a hashed word, so
    ///      it cannot match a stored hash.
    function _hashCalldata(Task calldata task) private pure returns (uint256 h) {
        uint256 len = (13 + task.input.length) * 32;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            calldatacopy(ptr, task, len)
            h := keccak256(ptr, len)
        }
        h &= ~VERIFIED;
    }
}
