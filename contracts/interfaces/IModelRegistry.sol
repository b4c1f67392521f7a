// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IModelRegistry
/// @notice Registry of proven models: model id => verifier, model commitment and public-input layout.
interface IModelRegistry {
    /// @notice A registered model.
    /// @param verifier Groth16 verifier for the model's circuit.
    /// @param commitment Commitment to the canonical model file (hash of the quantized model).
    /// @param inputWords Number of field elements the packed input occupies in the public inputs.
    /// @param outputWords Number of field elements the packed output occupies in the public inputs.
    /// @param owner Account that registered the model and may deprecate it.
    /// @param active False once deprecated; deprecated models accept no new proofs.
    struct Model {
        address verifier;
        bytes32 commitment;
        uint32 inputWords;
        uint32 outputWords;
        address owner;
        bool active;
    }

    /// @notice Emitted when a model is registered.
    event ModelRegistered(
        uint256 indexed modelId, address indexed verifier, bytes32 commitment, uint32 inputWords, uint32 outputWords
    );

    /// @notice Emitted when a model is deprecated.
    event ModelDeprecated(uint256 indexed modelId);

    /// @notice No model with this id exists.
    error ModelRegistryUnknownModel(uint256 modelId);
    /// @notice The caller is neither the model owner nor the registry owner.
    error ModelRegistryNotModelOwner(uint256 modelId, address caller);
    /// @notice The verifier address has no code.
    error ModelRegistryInvalidVerifier(address verifier);
    /// @notice Input and output must each occupy at least one word, and the verifier must expect
    ///         inputWords + outputWords + 1 public inputs (the last is the prover address).
    error ModelRegistryInvalidLayout(uint32 inputWords, uint32 outputWords, uint256 verifierInputs);
    /// @notice The model was already deprecated.
    error ModelRegistryAlreadyDeprecated(uint256 modelId);

    /// @notice Registers a model and returns its id (ids start at 1). Registry owner only.
    function registerModel(address verifier, bytes32 commitment, uint32 inputWords, uint32 outputWords)
        external
        returns (uint256 modelId);

    /// @notice Deprecates a model; its owner or the registry owner may.
    function deprecateModel(uint256 modelId) external;

    /// @notice Returns a registered model; reverts with ModelRegistryUnknownModel for unknown ids.
    function getModel(uint256 modelId) external view returns (Model memory);

    /// @notice Number of models registered so far.
    function modelCount() external view returns (uint256);
}
