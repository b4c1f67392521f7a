// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IModelRegistry
/// @notice Registry of proven models. Each id fixes a Groth16 verifier, the commitments that say which model
///         it proves, the public-input layout, the work units one proof is worth, and a version lineage.
/// @dev Public-input layout of an inference proof: `input ++ output ++ [weightsCommitment if private]`, where the
///      last output word also carries the prover (payee) address at bit 88.
interface IModelRegistry {
    /// @notice What a model's proofs attest.
    enum Kind {
        Inference,
        Training
    }

    /// @notice A registered model (three packed slots plus the weights commitment and the URI).
    /// @param verifier Groth16 verifier for the model's circuit.
    /// @param workUnits Work units one verified proof is worth (rewards are shared in proportion to them).
    /// @param inputWords Field elements the input occupies in the public inputs (1 for a committed input).
    /// @param owner Account that may deprecate the model and register its next version.
    /// @param outputWords Field elements the packed output occupies in the public inputs, the payee's included
    ///        (at most 11 values share the last word with it; otherwise a payee-only word is added).
    /// @param version 1 for a new lineage, previous version + 1 otherwise.
    /// @param kind Inference or training.
    /// @param active False once deprecated; deprecated models accept no new tasks.
    /// @param privateWeights True if the weights are private: `weightsCommitment` is then a public input.
    /// @param previous Id of the previous version (0 for the first).
    /// @param commitment keccak256 of the canonical quantized model file.
    /// @param weightsCommitment Poseidon commitment to the private weights (< r), 0 for public weights.
    /// @param metadataURI Where the model file, its accuracy and its documentation are published.
    struct Model {
        address verifier;
        uint64 workUnits;
        uint32 inputWords;
        address owner;
        uint32 outputWords;
        uint32 version;
        Kind kind;
        bool active;
        bool privateWeights;
        uint64 previous;
        bytes32 commitment;
        uint256 weightsCommitment;
        string metadataURI;
    }

    /// @notice Parameters of `registerModel`.
    struct ModelParams {
        address verifier;
        Kind kind;
        bytes32 commitment;
        bool privateWeights;
        uint256 weightsCommitment;
        uint32 inputWords;
        uint32 outputWords;
        uint64 workUnits;
        uint64 previous;
        address owner;
        string metadataURI;
    }

    /// @notice Emitted when a model is registered.
    event ModelRegistered(
        uint256 indexed modelId,
        address indexed owner,
        address indexed verifier,
        Kind kind,
        bytes32 commitment,
        uint32 version,
        uint64 previous,
        string metadataURI
    );
    /// @notice Emitted when a model is deprecated.
    event ModelDeprecated(uint256 indexed modelId);

    /// @notice No model with this id exists.
    error ModelRegistryUnknownModel(uint256 modelId);
    /// @notice The caller is neither the model owner nor a registrar.
    error ModelRegistryNotModelOwner(uint256 modelId, address caller);
    /// @notice The verifier address has no code.
    error ModelRegistryInvalidVerifier(address verifier);
    /// @notice Input and output must each occupy at least one word, and the verifier must expect
    ///         inputWords + outputWords + (privateWeights ? 1 : 0) public inputs.
    error ModelRegistryInvalidLayout(uint32 inputWords, uint32 outputWords, uint256 verifierInputs);
    /// @notice Work units must be in [1, MAX_WORK_UNITS].
    error ModelRegistryInvalidWorkUnits(uint64 workUnits);
    /// @notice Private weights need a weights commitment in (0, r); public weights need 0.
    error ModelRegistryInvalidWeightsCommitment(uint256 weightsCommitment);
    /// @notice The owner of a model must be a non-zero address.
    error ModelRegistryZeroOwner();
    /// @notice A new version must name an active previous version of the same kind, owned by the same owner.
    error ModelRegistryInvalidPrevious(uint64 previous);
    /// @notice The model was already deprecated.
    error ModelRegistryAlreadyDeprecated(uint256 modelId);

    /// @notice Registers a model and returns its id (ids start at 1). Registrar only.
    function registerModel(ModelParams calldata params) external returns (uint256 modelId);

    /// @notice Deprecates a model; its owner or a registrar may. Irreversible.
    function deprecateModel(uint256 modelId) external;

    /// @notice Returns a registered model; reverts with ModelRegistryUnknownModel for unknown ids.
    function getModel(uint256 modelId) external view returns (Model memory);

    /// @notice Number of models registered so far (also the last id).
    function modelCount() external view returns (uint256);

    /// @notice Role allowed to register models.
    function REGISTRAR_ROLE() external view returns (bytes32);

    /// @notice Upper bound on a model's work units per proof.
    function MAX_WORK_UNITS() external view returns (uint64);
}
