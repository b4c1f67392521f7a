// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IInferenceHub
/// @notice Accepts inference proofs from staked provers, records verified outputs and credits rewards.
///         The hub also implements IVerifiedOutputs (kept separate so each interface is self-contained).
/// @dev The public inputs proven are `input ++ output ++ [uint160(msg.sender)]`: the payee is bound into the
///      statement, so a proof copied from the mempool verifies for nobody else. Replay is keyed on the
///      statement (model id, input hash), never on proof bytes (Groth16 proofs are malleable).
interface IInferenceHub {
    /// @notice Emitted when `prover` is credited `amount` for a verified statement.
    event RewardCredited(address indexed prover, bytes32 indexed statementId, uint256 amount);
    /// @notice Emitted when `prover` claims `amount`.
    event RewardClaimed(address indexed prover, uint256 amount);
    /// @notice Emitted when `funder` adds `amount` to the reward pool.
    event RewardsFunded(address indexed funder, uint256 amount);
    /// @notice Emitted when the owner changes the reward per verified proof.
    event RewardPerProofChanged(uint256 oldReward, uint256 newReward);

    /// @notice The model is registered but deprecated.
    error InferenceHubModelInactive(uint256 modelId);
    /// @notice The submitter's active stake is below the minimum.
    error InferenceHubNotStaked(address prover, uint256 have, uint256 need);
    /// @notice The packed input has the wrong number of words for the model.
    error InferenceHubWrongInputLength(uint256 got, uint256 expected);
    /// @notice The packed output has the wrong number of words for the model.
    error InferenceHubWrongOutputLength(uint256 got, uint256 expected);
    /// @notice The proof does not verify for this statement and submitter.
    error InferenceHubInvalidProof(uint256 modelId, bytes32 inputHash);
    /// @notice An output for this statement was already verified (and paid).
    error InferenceHubAlreadyVerified(bytes32 statementId);
    /// @notice The caller has no reward to claim.
    error InferenceHubNothingToClaim(address prover);
    /// @notice Amount must be non-zero.
    error InferenceHubZeroAmount();
    /// @notice The reward per proof exceeds the allowed maximum.
    error InferenceHubRewardTooHigh(uint256 reward, uint256 max);

    /// @notice Submits an inference proof. The caller must be staked and must be the prover bound in the proof.
    /// @param modelId Registered model id.
    /// @param input Packed input words (public inputs, each < r).
    /// @param output Packed output words (public inputs, each < r).
    /// @param proof Groth16 proof [A.x, A.y, B.x.c1, B.x.c0, B.y.c1, B.y.c0, C.x, C.y].
    /// @return statementId keccak256(abi.encode(modelId, inputHash)), the replay key.
    function submit(uint256 modelId, uint256[] calldata input, uint256[] calldata output, uint256[8] calldata proof)
        external
        returns (bytes32 statementId);

    /// @notice Transfers the caller's credited rewards to the caller (pull payment).
    function claim() external returns (uint256 amount);

    /// @notice Adds `amount` tokens to the reward pool (requires ERC-20 approval).
    function fundRewards(uint256 amount) external;

    /// @notice Sets the reward credited per verified proof (owner only; bounded by `MAX_REWARD_PER_PROOF`).
    function setRewardPerProof(uint256 reward) external;

    /// @notice Rewards credited to `prover` and not yet claimed.
    function rewardOf(address prover) external view returns (uint256);
    /// @notice Reward credited per verified proof (capped by the unallocated pool).
    function rewardPerProof() external view returns (uint256);
    /// @notice Pool tokens not yet credited to any prover.
    function unallocatedRewards() external view returns (uint256);
    /// @notice Statement id for (modelId, input): keccak256(abi.encode(modelId, keccak256(abi.encodePacked(input)))).
    function statementId(uint256 modelId, uint256[] calldata input) external pure returns (bytes32);
}
