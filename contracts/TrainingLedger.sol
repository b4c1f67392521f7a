// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {IGroth16Verifier} from "./interfaces/IGroth16Verifier.sol";
import {IModelRegistry} from "./interfaces/IModelRegistry.sol";
import {ITrainingLedger} from "./interfaces/ITrainingLedger.sol";

/// @title TrainingLedger
/// @notice Proven training lineages of registry training models: a head commitment moved one verified SGD step at
///         a time, each step on a batch picked by a block hash the prover could not know when claiming it.
/// @dev Security (see also ITrainingLedger):
///      - the head is the replay key: a verified step moves it, and the step number in the public inputs is
///        incremented, so no statement verifies twice;
///      - the payee is `msg.sender`, packed into the last public input at bit 88;
///      - the only external calls are `view` (the registry and the verifier, both STATICCALLs) and come before
///        any effect, and the ledger holds no funds, so there is no reentrancy guard;
///      - the verifier and work units are snapshotted at `initTraining` (the registry never changes them).
///      The admin role has no power over lineages; it exists for later governance (e.g. an evaluation verifier).
contract TrainingLedger is ITrainingLedger, AccessControlDefaultAdminRules {
    /// @inheritdoc ITrainingLedger
    uint256 public constant CLAIM_WINDOW = 256;

    /// @dev BN254 scalar field order r.
    uint256 private constant SCALAR_FIELD =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;
    /// @dev Bit offset of the payee (prover address) in the last public input, as in inference.
    uint256 private constant PAYEE_SHIFT = 88;
    /// @dev Registry layout of a training model: [headBefore, headAfter, datasetRoot, seed] ++ [stepAndPayee].
    uint32 private constant INPUT_WORDS = 4;
    uint32 private constant OUTPUT_WORDS = 1;

    /// @dev The model registry.
    IModelRegistry private immutable _registry;

    /// @dev Model id => training state; `verifier == address(0)` means not initialized.
    mapping(uint256 modelId => Training) private _trainings;

    /// @dev Model id => prover => open claim.
    mapping(uint256 modelId => mapping(address prover => Claim)) private _claims;

    /// @dev Model id => verified steps, in order.
    mapping(uint256 modelId => Step[]) private _lineages;

    /// @dev Prover => work units credited.
    mapping(address prover => uint256) private _work;

    /// @notice Deploys the ledger.
    /// @param registry_ The model registry.
    /// @param admin Initial admin.
    /// @param adminDelay Delay of a two-step admin transfer, in seconds.
    constructor(IModelRegistry registry_, address admin, uint48 adminDelay)
        AccessControlDefaultAdminRules(adminDelay, admin)
    {
        _registry = registry_;
    }

    /// @inheritdoc ITrainingLedger
    function initTraining(uint256 modelId, bytes32 datasetRoot, uint256 evalRoot, uint256 initialHead) external {
        IModelRegistry.Model memory model = _registry.getModel(modelId);
        if (model.owner != msg.sender) revert TrainingLedgerNotModelOwner(modelId, msg.sender);
        if (!model.active || model.kind != IModelRegistry.Kind.Training) {
            revert TrainingLedgerNotTrainingModel(modelId);
        }
        if (model.inputWords != INPUT_WORDS || model.outputWords != OUTPUT_WORDS || model.privateWeights) {
            revert TrainingLedgerInvalidLayout(modelId, model.inputWords, model.outputWords, model.privateWeights);
        }
        Training storage t = _trainings[modelId];
        if (t.verifier != address(0)) revert TrainingLedgerAlreadyInitialized(modelId);
        _checkField(uint256(datasetRoot));
        _checkField(evalRoot);
        _checkField(initialHead);

        t.datasetRoot = datasetRoot;
        t.evalRoot = evalRoot;
        t.head = initialHead;
        t.verifier = model.verifier;
        t.workUnits = model.workUnits;
        emit TrainingInitialized(modelId, datasetRoot, evalRoot, initialHead, model.verifier);
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
        if (headAfter == 0 || headAfter >= SCALAR_FIELD || headAfter == headBefore) {
            revert TrainingLedgerInvalidHeadAfter(headAfter);
        }
        Claim memory c = _claims[modelId][msg.sender];
        uint256 seed = _seed(modelId, msg.sender, c);
        uint64 step = t.steps;
        if (c.step != step) revert TrainingLedgerStaleClaim(modelId, c.step, step);

        uint256[] memory inputs = new uint256[](5);
        inputs[0] = headBefore;
        inputs[1] = headAfter;
        inputs[2] = uint256(t.datasetRoot);
        inputs[3] = seed;
        inputs[4] = uint256(step) | (uint256(uint160(msg.sender)) << PAYEE_SHIFT);
        if (!IGroth16Verifier(t.verifier).verifyProof(proof, inputs)) revert TrainingLedgerInvalidProof(modelId, step);

        t.head = headAfter;
        t.steps = step + 1;
        _lineages[modelId].push(
            Step({
                headBefore: headBefore,
                headAfter: headAfter,
                prover: msg.sender,
                step: step,
                blockNumber: uint64(block.number)
            })
        );
        delete _claims[modelId][msg.sender];
        _work[msg.sender] += t.workUnits;
        emit StepVerified(modelId, step, headBefore, headAfter, msg.sender);
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
        Step[] storage lineage = _lineages[modelId];
        if (index >= lineage.length) revert TrainingLedgerLineageOutOfRange(modelId, index, lineage.length);
        return lineage[index];
    }

    /// @inheritdoc ITrainingLedger
    function workOf(address prover) external view returns (uint256) {
        return _work[prover];
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
        return uint256(hash) % SCALAR_FIELD;
    }

    /// @dev Reverts with TrainingLedgerNotInField unless 0 < value < r.
    function _checkField(uint256 value) private pure {
        if (value == 0 || value >= SCALAR_FIELD) revert TrainingLedgerNotInField(value);
    }
}
