// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {IGroth16Verifier} from "./interfaces/IGroth16Verifier.sol";
import {IModelRegistry} from "./interfaces/IModelRegistry.sol";
import {Statement} from "./libraries/Statement.sol";

/// @title ModelRegistry
/// @notice Registry of proven models: each id fixes a Groth16 verifier, the model's commitments, its public-input
///         layout, its work units per proof and its place in a version lineage.
/// @dev Only registrars register models: every model earns emissions from the market's shared pool, so open
///      registration would let anyone register an always-true verifier and drain it. The admin role transfers
///      in two steps with a delay (AccessControlDefaultAdminRules).
contract ModelRegistry is IModelRegistry, AccessControlDefaultAdminRules {
    /// @inheritdoc IModelRegistry
    bytes32 public constant REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");
    /// @inheritdoc IModelRegistry
    uint64 public constant MAX_WORK_UNITS = 1e12;

    /// @dev Model id => model. Id 0 is never assigned, so `verifier == address(0)` means unknown.
    mapping(uint256 modelId => Model) private _models;

    /// @dev Number of registered models; also the last assigned id.
    uint256 private _modelCount;

    /// @notice Deploys the registry; `admin` is also granted the registrar role.
    /// @param admin Initial admin.
    /// @param adminDelay Delay of a two-step admin transfer, in seconds.
    constructor(address admin, uint48 adminDelay) AccessControlDefaultAdminRules(adminDelay, admin) {
        _grantRole(REGISTRAR_ROLE, admin);
    }

    /// @inheritdoc IModelRegistry
    /// @dev Registrar only. The verifier must have code and expect exactly
    ///      `inputWords + outputWords + (privateWeights ? 1 : 0)` public inputs (the payee is packed into the last
    ///      output word).
    function registerModel(ModelParams calldata p) external onlyRole(REGISTRAR_ROLE) returns (uint256 modelId) {
        if (p.verifier.code.length == 0) revert ModelRegistryInvalidVerifier(p.verifier);
        if (p.owner == address(0)) revert ModelRegistryZeroOwner();
        if (p.workUnits == 0 || p.workUnits > MAX_WORK_UNITS) revert ModelRegistryInvalidWorkUnits(p.workUnits);
        if (
            p.privateWeights
                ? (p.weightsCommitment == 0 || p.weightsCommitment >= Statement.SCALAR_FIELD)
                : p.weightsCommitment != 0
        ) {
            revert ModelRegistryInvalidWeightsCommitment(p.weightsCommitment);
        }
        uint256 verifierInputs = IGroth16Verifier(p.verifier).publicInputCount();
        uint256 expected = Statement.inferenceWords(p.inputWords, p.outputWords, p.privateWeights);
        if (p.inputWords == 0 || p.outputWords == 0 || verifierInputs != expected) {
            revert ModelRegistryInvalidLayout(p.inputWords, p.outputWords, verifierInputs);
        }
        uint32 version = 1;
        if (p.previous != 0) {
            Model storage prev = _models[p.previous];
            if (prev.verifier == address(0) || !prev.active || prev.kind != p.kind || prev.owner != p.owner) {
                revert ModelRegistryInvalidPrevious(p.previous);
            }
            version = prev.version + 1;
        }

        modelId = ++_modelCount;
        _models[modelId] = Model({
            verifier: p.verifier,
            workUnits: p.workUnits,
            inputWords: p.inputWords,
            owner: p.owner,
            outputWords: p.outputWords,
            version: version,
            kind: p.kind,
            active: true,
            privateWeights: p.privateWeights,
            previous: p.previous,
            commitment: p.commitment,
            weightsCommitment: p.weightsCommitment,
            metadataURI: p.metadataURI
        });
        emit ModelRegistered(modelId, p.owner, p.verifier, p.kind, p.commitment, version, p.previous, p.metadataURI);
    }

    /// @inheritdoc IModelRegistry
    /// @dev Model owner or a registrar. Irreversible. Verified outputs stay readable; open tasks can still be
    ///      fulfilled (they snapshot the verifier), but no new task is accepted.
    function deprecateModel(uint256 modelId) external {
        Model storage model = _getModel(modelId);
        if (model.owner != msg.sender && !hasRole(REGISTRAR_ROLE, msg.sender)) {
            revert ModelRegistryNotModelOwner(modelId, msg.sender);
        }
        if (!model.active) revert ModelRegistryAlreadyDeprecated(modelId);

        model.active = false;
        emit ModelDeprecated(modelId);
    }

    /// @inheritdoc IModelRegistry
    function getModel(uint256 modelId) external view returns (Model memory) {
        return _getModel(modelId);
    }

    /// @inheritdoc IModelRegistry
    function modelCount() external view returns (uint256) {
        return _modelCount;
    }

    /// @dev Returns a storage pointer to a registered model; reverts with ModelRegistryUnknownModel otherwise.
    function _getModel(uint256 modelId) private view returns (Model storage model) {
        model = _models[modelId];
        if (model.verifier == address(0)) revert ModelRegistryUnknownModel(modelId);
    }
}
