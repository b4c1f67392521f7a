// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IGroth16Verifier} from "../interfaces/IGroth16Verifier.sol";
import {IMarketGovernance} from "../interfaces/IMarketGovernance.sol";
import {IModelRegistry} from "../interfaces/IModelRegistry.sol";
import {IStaking} from "../interfaces/IStaking.sol";
import {ITaskMarket} from "../interfaces/ITaskMarket.sol";
import {IVerifiedOutputs} from "../interfaces/IVerifiedOutputs.sol";
import {MarketStorage} from "./MarketStorage.sol";
import {RewardsModule} from "./RewardsModule.sol";
import {StakingModule} from "./StakingModule.sol";

/// @title TaskMarketModule
/// @notice Tasks with escrowed bounties, exclusive locks backed by collateral, proof fulfilment that records a
///         verified output, and slashing of locks that miss their deadline.
/// @dev Security:
///      - the payee is bound into the proven statement: the verifier checks the proof against
///        `input ++ output ++ [weightsCommitment]` with `msg.sender` packed into the last output word at bit 88,
///        so a proof copied from the mempool verifies for nobody else;
///      - replay is keyed on the statement (model id, input commitment), never on proof bytes;
///      - every state change happens before the only external calls (the `view` verifier, and the token);
///      - all payments except the burn are credits claimed later (pull payments).
abstract contract TaskMarketModule is ITaskMarket, IVerifiedOutputs, StakingModule, RewardsModule {
    /// @dev Bit offset of the payee (prover address) in the last output word of the public inputs.
    uint256 internal constant PAYEE_SHIFT = 88;
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
            if (input[i] >= SCALAR_FIELD) revert TaskMarketInputNotInField(i);
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
        if (output[output.length - 1] >> PAYEE_SHIFT != 0) revert TaskMarketOutputNotPacked(id);
        if (!_verify(task, output, proof)) revert TaskMarketInvalidProof(id);

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

    /// @dev Calls `task.verifier.verifyProof(proof, input ++ output ++ [weightsCommitment])`, with `msg.sender`
    ///      added to the last output word at bit 88 (the circuit's payee slot; the caller checked those bits are
    ///      clear, or a copier could set them so that its own address fills in someone else's). The call data is
    ///      assembled in place from calldata, without an intermediate array; a verifier revert (e.g. an input or
    ///      coordinate outside its field) is bubbled up unchanged.
    function _verify(Task calldata task, uint256[] calldata output, uint256[8] calldata proof)
        private
        view
        returns (bool valid)
    {
        uint256[] calldata input = task.input;
        address verifier = task.verifier;
        uint256 weights = task.weightsCommitment;
        bool withWeights = task.privateWeights;
        bytes4 selector = IGroth16Verifier.verifyProof.selector;
        assembly ("memory-safe") {
            let n := mul(input.length, 0x20)
            let m := mul(output.length, 0x20)
            let ptr := mload(0x40)
            // verifyProof(uint256[8] proof, uint256[] inputs): selector, 8 proof words, offset 0x120, length, words.
            mstore(ptr, selector)
            calldatacopy(add(ptr, 0x04), proof, 0x100)
            mstore(add(ptr, 0x104), 0x120)
            let words := add(ptr, 0x144)
            calldatacopy(words, input.offset, n)
            calldatacopy(add(words, n), output.offset, m)
            let last := add(words, sub(add(n, m), 0x20))
            mstore(last, or(mload(last), shl(PAYEE_SHIFT, caller())))
            let count := add(input.length, output.length)
            if withWeights {
                mstore(add(words, add(n, m)), weights)
                count := add(count, 1)
            }
            mstore(add(ptr, 0x124), count)
            let ok := staticcall(gas(), verifier, ptr, add(0x144, mul(count, 0x20)), 0x00, 0x20)
            if iszero(ok) {
                returndatacopy(ptr, 0, returndatasize())
                revert(ptr, returndatasize())
            }
            valid := and(eq(returndatasize(), 0x20), eq(mload(0x00), 1))
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
