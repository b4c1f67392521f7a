// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IGroth16Verifier} from "./interfaces/IGroth16Verifier.sol";
import {IModelRegistry} from "./interfaces/IModelRegistry.sol";

/// @title ModelRegistry
/// @notice Registry of proven models: each id maps to a Groth16 verifier, a commitment to the quantized model
///         file and the public-input layout `input ++ output ++ [prover]`.
/// @dev Only the registry owner (governance) registers models: every registered model can earn rewards from
///      the hub's shared pool, so open registration would let anyone register an always-true verifier and
///      drain it. Consumers should still trust a specific model id (its verifier and commitment).
contract ModelRegistry is IModelRegistry, Ownable2Step {
    /// @dev Model id => model. Id 0 is never assigned, so `verifier == address(0)` means unknown.
    mapping(uint256 modelId => Model) private _models;

    /// @dev Number of registered models; also the last assigned id.
    uint256 private _modelCount;

    /// @notice Deploys the registry.
    /// @param initialOwner Account allowed to register models (ownership transfers in two steps).
    constructor(address initialOwner) Ownable(initialOwner) {}

    /// @inheritdoc IModelRegistry
    /// @dev Registry owner only (reverts with OwnableUnauthorizedAccount). The verifier must have code and
    ///      expect exactly `inputWords + outputWords + 1` public inputs. The caller becomes the model owner.
    function registerModel(address verifier, bytes32 commitment, uint32 inputWords, uint32 outputWords)
        external
        onlyOwner
        returns (uint256 modelId)
    {
        if (verifier.code.length == 0) revert ModelRegistryInvalidVerifier(verifier);
        uint256 verifierInputs = IGroth16Verifier(verifier).publicInputCount();
        // uint32 + uint32 + 1 is computed in uint256 and cannot overflow.
        if (inputWords == 0 || outputWords == 0 || verifierInputs != uint256(inputWords) + uint256(outputWords) + 1) {
            revert ModelRegistryInvalidLayout(inputWords, outputWords, verifierInputs);
        }

        modelId = ++_modelCount;
        _models[modelId] = Model({
            verifier: verifier,
            commitment: commitment,
            inputWords: inputWords,
            outputWords: outputWords,
            owner: msg.sender,
            active: true
        });
        emit ModelRegistered(modelId, verifier, commitment, inputWords, outputWords);
    }

    /// @inheritdoc IModelRegistry
    /// @dev Model owner or registry owner. Irreversible. Outputs already verified stay readable in the hub.
    function deprecateModel(uint256 modelId) external {
        Model storage model = _getModel(modelId);
        if (model.owner != msg.sender && owner() != msg.sender) revert ModelRegistryNotModelOwner(modelId, msg.sender);
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
