// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IMarketGovernance} from "./interfaces/IMarketGovernance.sol";
import {IModelRegistry} from "./interfaces/IModelRegistry.sol";
import {IRewards} from "./interfaces/IRewards.sol";
import {IStaking} from "./interfaces/IStaking.sol";
import {ITaskMarket} from "./interfaces/ITaskMarket.sol";
import {IVerifiedOutputs} from "./interfaces/IVerifiedOutputs.sol";
import {Statement} from "./libraries/Statement.sol";
import {BatchFulfil} from "./market/BatchFulfil.sol";
import {MarketExtension} from "./market/MarketExtension.sol";
import {MarketStorage} from "./market/MarketStorage.sol";

/// @title MlproofMarket
/// @notice The mlproof market: prover staking, tasks with bounties on a reverse-Dutch price ramp, collateral and
///         slashing, verified outputs for dApps, and fee-weighted epoch emissions with pull payments, under
///         timelocked, bounded governance. Its full interface is `IMlproofMarket`.
/// @dev This contract implements the hot paths (post, lock, fulfil and `fulfilBatch` from BatchFulfil, stake, claim,
///      fund, read an output) and delegates every other selector to its `MarketExtension` (deployed by this
///      constructor, same storage layout, same immutables), so the market stays one address under the EIP-170 code size limit while a
///      fulfilment pays for no extra call.
///
///      Security of fulfilment:
///      - the payee is bound into the proven statement: the verifier checks the proof against
///        `input ++ output ++ [weightsCommitment]` with `msg.sender` packed into the last output word at bit 88
///        (`Statement.verifyInference`), so a proof copied from the mempool verifies for nobody else;
///      - replay is keyed on the statement (model id, input commitment), never on proof bytes;
///      - every state change happens before the only external calls (the `view` verifier, and the token);
///      - all payments are credits claimed later (pull payments).
contract MlproofMarket is BatchFulfil {
    /// @dev Where every selector this contract does not implement is delegated.
    address private immutable _extension;

    /// @notice Deploys the market and its extension.
    /// @param token_ ERC-20 for stakes, bounties and emissions (a plain ERC-20: no fee on transfer, no rebasing).
    /// @param registry_ Model registry.
    /// @param epochLength_ Epoch length in seconds (0 is taken as 1).
    /// @param admin Initial holder of the admin, treasury and pauser roles, and the treasury (a TimelockController
    ///        on a public network).
    /// @param initialParams Initial parameters (checked like `setParams`).
    /// @param initialEmissionPerEpoch Emission rate of epoch 0 on (at most MAX_EMISSION_PER_EPOCH).
    constructor(
        IERC20 token_,
        IModelRegistry registry_,
        uint256 epochLength_,
        address admin,
        IMarketGovernance.Params memory initialParams,
        uint256 initialEmissionPerEpoch
    ) MarketStorage(token_, registry_, block.timestamp, epochLength_ == 0 ? 1 : epochLength_) {
        MarketExtension ext = new MarketExtension(token_, registry_, _genesis, _epochLength);
        _extension = address(ext);
        // Reason: `initialize` returns nothing; a revert inside it is bubbled up by functionDelegateCall.
        // slither-disable-next-line unused-return
        Address.functionDelegateCall(
            address(ext), abi.encodeCall(MarketExtension.initialize, (admin, initialParams, initialEmissionPerEpoch))
        );
    }

    /// @notice The extension contract this market delegates its other functions to.
    function extension() external view returns (address) {
        return _extension;
    }

    /// @notice Posts a fixed-price task (ITaskMarket.postTask).
    function postTask(
        uint256 modelId,
        uint256[] calldata input,
        uint256 bounty,
        uint256 collateral,
        uint256 deadline,
        bytes calldata inputData
    ) external nonReentrant returns (bytes32 id) {
        ITaskMarket.Offer memory offer = ITaskMarket.Offer({
            minPrice: bounty,
            bounty: bounty,
            rampDelay: 0,
            rampPeriod: 0,
            collateral: collateral,
            deadline: deadline
        });
        return _postNew(modelId, input, offer, inputData);
    }

    /// @notice Posts a task with a price ramp (ITaskMarket.postTaskWithOffer).
    function postTaskWithOffer(
        uint256 modelId,
        uint256[] calldata input,
        ITaskMarket.Offer calldata offer,
        bytes calldata inputData
    ) external nonReentrant returns (bytes32) {
        return _postNew(modelId, input, offer, inputData);
    }

    /// @notice Locks an unlocked task at the current price (ITaskMarket.lockTask).
    function lockTask(ITaskMarket.Task calldata task) external {
        _requireNotPaused();
        (bytes32 id,) = _openTask(task);
        if (task.prover != address(0)) revert ITaskMarket.TaskMarketLocked(id, task.prover);
        if (_expired(task)) revert ITaskMarket.TaskMarketExpired(id, _effectiveDeadline(task));
        if (_cancelAt[id] != 0) revert ITaskMarket.TaskMarketCancelling(id);
        if (!_isEligible(msg.sender)) revert ITaskMarket.TaskMarketNotEligible(msg.sender);

        uint256 price = _priceAt(task, block.timestamp);
        uint256 fee = _feeAt(task, price);
        _lockCollateral(msg.sender, task.collateral, task.deadline);
        ITaskMarket.Task memory locked = task;
        locked.prover = msg.sender;
        // Casting to uint96 is safe: price <= task.bounty and fee <= task.fee, both uint96.
        // forge-lint: disable-next-line(unsafe-typecast)
        locked.bounty = uint96(price);
        // forge-lint: disable-next-line(unsafe-typecast)
        locked.minPrice = uint96(price);
        // forge-lint: disable-next-line(unsafe-typecast)
        locked.fee = uint96(fee);
        IMarketGovernance.Params memory p = _params;
        locked.slashRequesterBps = p.slashRequesterBps;
        locked.slashCallerBps = p.slashCallerBps;
        locked.slashBurnBps = p.slashBurnBps;
        _records[id] = _hashEncoded(abi.encode(locked));
        _credit(task.requester, task.bounty - price + task.fee - fee);
        emit ITaskMarket.TaskLocked(id, msg.sender, locked);
    }

    /// @notice Fulfils a task with a proof (ITaskMarket.fulfil).
    /// @dev No reentrancy guard: the only external call is the `view` verifier (a STATICCALL, which cannot
    ///      change state), made before any effect.
    function fulfil(ITaskMarket.Task calldata task, uint256[] calldata output, uint256[8] calldata proof) external {
        _requireNotPaused();
        (bytes32 id, bytes32 inputHash) = _openTask(task);
        (uint256 price, uint256 fee) = _fulfilTerms(task, id);
        _verify(task, output, proof, id);

        _records[id] = VERIFIED | output[0];
        if (output.length > 1) _extraOutput[id] = output[1:];
        if (task.prover != address(0)) {
            _releaseCollateral(msg.sender, task.collateral);
        } else {
            delete _cancelAt[id];
            _credit(task.requester, task.bounty - price + task.fee - fee);
        }
        _recordWork(msg.sender, fee, price);
        emit IVerifiedOutputs.OutputVerified(task.modelId, inputHash, msg.sender, output);
    }

    /// @notice Stakes `amount` tokens (IStaking.stake).
    function stake(uint256 amount) external nonReentrant {
        _requireNotPaused();
        if (amount == 0) revert IStaking.StakingZeroAmount();
        IStaking.Account storage account = _accounts[msg.sender];
        uint256 active = uint256(account.active) + amount;
        if (active > type(uint96).max) revert IStaking.StakingAmountTooLarge(amount);

        // forge-lint: disable-next-line(unsafe-typecast)
        account.active = uint96(active);
        _totalStaked += amount;
        emit IStaking.Staked(msg.sender, amount, active);
        SafeERC20.safeTransferFrom(_token, msg.sender, address(this), amount);
    }

    /// @notice Settles the caller's emission share and pays everything claimable (IRewards.claim).
    function claim() external nonReentrant returns (uint256 amount) {
        _finalizeBefore(_epochNow());
        RewardAccount memory account = _settled(msg.sender);
        amount = account.credit;
        // Reason: `credit` is this contract's own ledger (no token balance); 0 means nothing to claim. Slither
        // taints it through the timestamp-derived epoch, but no one can force or dodge the equality.
        // slither-disable-next-line incorrect-equality
        if (amount == 0) revert IRewards.RewardsNothingToClaim(msg.sender);

        account.credit = 0;
        _rewards[msg.sender] = account;
        emit IRewards.Claimed(msg.sender, amount);
        SafeERC20.safeTransfer(_token, msg.sender, amount);
    }

    /// @notice Adds `amount` to the emission pool (IRewards.fundEmissions).
    function fundEmissions(uint256 amount) external nonReentrant {
        if (amount == 0) revert IRewards.RewardsZeroAmount();
        // A plain uint128(amount) would truncate: the market would take `amount` and book less.
        _pool = SafeCast.toUint128(_pool + amount);
        emit IRewards.EmissionsFunded(msg.sender, amount);
        SafeERC20.safeTransferFrom(_token, msg.sender, address(this), amount);
    }

    /// @notice The verified output of (modelId, inputCommitment) (IVerifiedOutputs.verifiedOutput).
    function verifiedOutput(uint256 modelId, bytes32 inputCommitment)
        external
        view
        returns (bool verified, uint256[] memory output)
    {
        bytes32 id = keccak256(abi.encode(modelId, inputCommitment));
        uint256 record = _records[id];
        // Reason: a flag bit of the market's own statement record (task hash or VERIFIED | output), not a balance.
        // slither-disable-next-line incorrect-equality
        if (record & VERIFIED == 0) return (false, output);
        uint256[] storage extra = _extraOutput[id];
        output = new uint256[](1 + extra.length);
        output[0] = record & ~VERIFIED;
        for (uint256 i; i < extra.length; ++i) {
            output[i + 1] = extra[i];
        }
        return (true, output);
    }

    /// @notice Every other function of `IMlproofMarket` runs in the extension, on this contract's storage.
    /// @dev Not payable: every extension function is non-payable, and this one refuses value itself.
    fallback() external {
        address ext = _extension;
        // Reason: delegation to the extension this constructor deployed (an immutable, not caller-chosen address),
        // the standard proxy forwarding of calldata, return data and reverts. Not memory-safe (it overwrites
        // memory from 0), which is fine because it never returns to Solidity code.
        assembly {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), ext, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            if iszero(ok) { revert(0, returndatasize()) }
            return(0, returndatasize())
        }
    }

    /// @dev Who may fulfil `task` now, and at what price and fee: a locked task only its prover, at the locked
    ///      price; an unlocked one any eligible prover, at the ramp's current price, until a cancellation is due.
    function _fulfilTerms(ITaskMarket.Task calldata task, bytes32 id) private view returns (uint256, uint256) {
        if (_expired(task)) revert ITaskMarket.TaskMarketExpired(id, _effectiveDeadline(task));
        if (task.prover != address(0)) {
            if (task.prover != msg.sender) revert ITaskMarket.TaskMarketLocked(id, task.prover);
            return (task.bounty, task.fee);
        }
        if (!_isEligible(msg.sender)) revert ITaskMarket.TaskMarketNotEligible(msg.sender);
        if (_cancelDue(id)) revert ITaskMarket.TaskMarketCancelling(id);
        uint256 price = _priceAt(task, block.timestamp);
        return (price, _feeAt(task, price));
    }

    /// @dev Reverts unless `proof` verifies `input ++ output ++ [weightsCommitment]` with `msg.sender` bound into
    ///      the last output word (assembled in place from calldata; a verifier revert is bubbled up unchanged).
    function _verify(
        ITaskMarket.Task calldata task,
        uint256[] calldata output,
        uint256[8] calldata proof,
        bytes32 id
    ) private view {
        if (output.length != task.outputWords || output.length == 0) {
            revert ITaskMarket.TaskMarketWrongOutputLength(output.length, task.outputWords);
        }
        // A copier could otherwise pre-fill the payee bits so that its own address completes someone else's.
        if (!Statement.hasPayeeRoom(output[output.length - 1])) revert ITaskMarket.TaskMarketOutputNotPacked(id);
        if (
            !Statement.verifyInference(
                task.verifier, proof, task.input, output, task.privateWeights, task.weightsCommitment, msg.sender
            )
        ) revert ITaskMarket.TaskMarketInvalidProof(id);
    }

    function _postNew(
        uint256 modelId,
        uint256[] calldata input,
        ITaskMarket.Offer memory offer,
        bytes calldata inputData
    ) private returns (bytes32 id) {
        _requireNotPaused();
        id = _statementId(modelId, input);
        if (_records[id] != 0) revert ITaskMarket.TaskMarketStatementTaken(id);
        uint256 escrow;
        (, escrow) = _post(msg.sender, modelId, input, offer, inputData);
        _escrow(escrow);
    }
}
