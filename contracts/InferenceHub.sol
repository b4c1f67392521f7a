// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IGroth16Verifier} from "./interfaces/IGroth16Verifier.sol";
import {IInferenceHub} from "./interfaces/IInferenceHub.sol";
import {IModelRegistry} from "./interfaces/IModelRegistry.sol";
import {IStaking} from "./interfaces/IStaking.sol";
import {IVerifiedOutputs} from "./interfaces/IVerifiedOutputs.sol";

/// @title InferenceHub
/// @notice Verifies inference proofs from staked provers, records proven outputs for dApps to read and credits
///         a reward per verified statement from a funded pool. Rewards are claimed with `claim` (pull payment).
/// @dev The public inputs are `input ++ output ++ [uint160(msg.sender)]`, so a proof only verifies for the prover
///      bound in it. Replay is keyed on the statement `(modelId, inputHash)`, never on proof bytes. `submit` moves
///      no tokens; the verifier is called through STATICCALL (`verifyProof` is `view`), so it cannot re-enter
///      with state changes. Accounting uses internal totals, never `balanceOf(this)`.
contract InferenceHub is IInferenceHub, IVerifiedOutputs, Ownable2Step, ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @notice Upper bound for `rewardPerProof`.
    uint256 public constant MAX_REWARD_PER_PROOF = 1_000_000e18;

    /// @dev A verified output for one statement.
    struct Record {
        address prover;
        bool verified;
        uint256[] output;
    }

    /// @dev Registry of models (verifier and layout).
    IModelRegistry private immutable _registry;
    /// @dev Staking contract deciding prover eligibility.
    IStaking private immutable _staking;
    /// @dev Token the rewards are paid in.
    IERC20 private immutable _rewardToken;
    /// @dev Reward credited per verified statement (capped by the unallocated pool).
    uint256 private _rewardPerProof;
    /// @dev Pool tokens not yet credited to any prover.
    uint256 private _unallocated;
    /// @dev Credited, unclaimed rewards per prover.
    mapping(address prover => uint256) private _rewards;
    /// @dev Statement id => verified output.
    mapping(bytes32 statementId => Record) private _records;

    /// @notice Deploys the hub.
    /// @param modelRegistry Model registry.
    /// @param proverStaking Staking contract; submitters must be eligible there.
    /// @param token ERC-20 the rewards are funded and paid in.
    /// @param initialRewardPerProof Reward per verified statement (<= MAX_REWARD_PER_PROOF).
    /// @param initialOwner Account allowed to set the reward (ownership transfers in two steps).
    constructor(
        IModelRegistry modelRegistry,
        IStaking proverStaking,
        IERC20 token,
        uint256 initialRewardPerProof,
        address initialOwner
    ) Ownable(initialOwner) {
        _registry = modelRegistry;
        _staking = proverStaking;
        _rewardToken = token;
        _setRewardPerProof(initialRewardPerProof);
    }

    /// @inheritdoc IInferenceHub
    /// @dev Checks, in order: model known (the registry's ModelRegistryUnknownModel bubbles up) and active,
    ///      caller eligible, input and output lengths, statement not yet verified, proof valid (the verifier's
    ///      Groth16VerifierPublicInputNotInField bubbles up). Then records the output and credits
    ///      `min(rewardPerProof, unallocatedRewards)` to the caller. Emits OutputVerified then RewardCredited.
    function submit(uint256 modelId, uint256[] calldata input, uint256[] calldata output, uint256[8] calldata proof)
        external
        returns (bytes32 id)
    {
        IModelRegistry.Model memory model = _registry.getModel(modelId);
        if (!model.active) revert InferenceHubModelInactive(modelId);
        if (!_staking.isEligible(msg.sender)) {
            revert InferenceHubNotStaked(msg.sender, _staking.stakeOf(msg.sender), _staking.minStake());
        }
        if (input.length != model.inputWords) revert InferenceHubWrongInputLength(input.length, model.inputWords);
        if (output.length != model.outputWords) {
            revert InferenceHubWrongOutputLength(output.length, model.outputWords);
        }

        bytes32 inputHash = keccak256(abi.encodePacked(input));
        id = _statementId(modelId, inputHash);
        Record storage record = _records[id];
        if (record.verified) revert InferenceHubAlreadyVerified(id);

        if (!IGroth16Verifier(model.verifier).verifyProof(proof, _publicInputs(input, output))) {
            revert InferenceHubInvalidProof(modelId, inputHash);
        }

        record.prover = msg.sender;
        record.verified = true;
        record.output = output;
        emit OutputVerified(modelId, inputHash, msg.sender, output);

        uint256 unallocated = _unallocated;
        uint256 credit = _rewardPerProof < unallocated ? _rewardPerProof : unallocated;
        // credit <= unallocated by construction, so the subtraction cannot underflow.
        unchecked {
            _unallocated = unallocated - credit;
        }
        _rewards[msg.sender] += credit;
        emit RewardCredited(msg.sender, id, credit);
    }

    /// @inheritdoc IInferenceHub
    /// @dev Reverts with InferenceHubNothingToClaim when nothing is credited. Zeroes the balance before paying.
    function claim() external nonReentrant returns (uint256 amount) {
        amount = _rewards[msg.sender];
        if (amount == 0) revert InferenceHubNothingToClaim(msg.sender);

        _rewards[msg.sender] = 0;
        emit RewardClaimed(msg.sender, amount);

        _rewardToken.safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc IInferenceHub
    /// @dev Anyone may fund. Reverts with InferenceHubZeroAmount for zero. Fee-on-transfer tokens are not supported.
    function fundRewards(uint256 amount) external nonReentrant {
        if (amount == 0) revert InferenceHubZeroAmount();

        _unallocated += amount;
        emit RewardsFunded(msg.sender, amount);

        _rewardToken.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc IInferenceHub
    /// @dev Owner only. Reverts with InferenceHubRewardTooHigh above MAX_REWARD_PER_PROOF. Zero is allowed
    ///      (outputs are still recorded, nothing is credited).
    function setRewardPerProof(uint256 reward) external onlyOwner {
        _setRewardPerProof(reward);
    }

    /// @inheritdoc IVerifiedOutputs
    function verifiedOutput(uint256 modelId, bytes32 inputHash)
        external
        view
        returns (bool verified, uint256[] memory output)
    {
        Record storage record = _records[_statementId(modelId, inputHash)];
        return (record.verified, record.output);
    }

    /// @notice The prover paid for the output of (modelId, inputHash), or the zero address if none is verified.
    /// @param modelId Registered model id.
    /// @param inputHash keccak256(abi.encodePacked(input)).
    function proverOf(uint256 modelId, bytes32 inputHash) external view returns (address) {
        return _records[_statementId(modelId, inputHash)].prover;
    }

    /// @inheritdoc IInferenceHub
    function rewardOf(address prover) external view returns (uint256) {
        return _rewards[prover];
    }

    /// @inheritdoc IInferenceHub
    function rewardPerProof() external view returns (uint256) {
        return _rewardPerProof;
    }

    /// @inheritdoc IInferenceHub
    function unallocatedRewards() external view returns (uint256) {
        return _unallocated;
    }

    /// @inheritdoc IInferenceHub
    function statementId(uint256 modelId, uint256[] calldata input) external pure returns (bytes32) {
        return _statementId(modelId, keccak256(abi.encodePacked(input)));
    }

    /// @notice The model registry.
    function registry() external view returns (IModelRegistry) {
        return _registry;
    }

    /// @notice The staking contract.
    function staking() external view returns (IStaking) {
        return _staking;
    }

    /// @notice The reward token.
    function rewardToken() external view returns (IERC20) {
        return _rewardToken;
    }

    /// @dev Validates, stores and announces the reward per proof.
    function _setRewardPerProof(uint256 reward) private {
        if (reward > MAX_REWARD_PER_PROOF) revert InferenceHubRewardTooHigh(reward, MAX_REWARD_PER_PROOF);
        uint256 old = _rewardPerProof;
        _rewardPerProof = reward;
        emit RewardPerProofChanged(old, reward);
    }

    /// @dev The replay key: keccak256(abi.encode(modelId, inputHash)).
    function _statementId(uint256 modelId, bytes32 inputHash) private pure returns (bytes32) {
        return keccak256(abi.encode(modelId, inputHash));
    }

    /// @dev Builds the verifier's public inputs: input ++ output ++ [uint160(msg.sender)].
    function _publicInputs(uint256[] calldata input, uint256[] calldata output)
        private
        view
        returns (uint256[] memory publicInputs)
    {
        uint256 inLen = input.length;
        uint256 outLen = output.length;
        publicInputs = new uint256[](inLen + outLen + 1);
        for (uint256 i; i < inLen; ++i) {
            publicInputs[i] = input[i];
        }
        for (uint256 i; i < outLen; ++i) {
            publicInputs[inLen + i] = output[i];
        }
        publicInputs[inLen + outLen] = uint256(uint160(msg.sender));
    }
}
