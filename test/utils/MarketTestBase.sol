// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {MlproofMarket} from "../../contracts/MlproofMarket.sol";
import {ModelRegistry} from "../../contracts/ModelRegistry.sol";
import {IMarketGovernance} from "../../contracts/interfaces/IMarketGovernance.sol";
import {IMlproofMarket} from "../../contracts/interfaces/IMlproofMarket.sol";
import {IModelRegistry} from "../../contracts/interfaces/IModelRegistry.sol";
import {ITaskMarket} from "../../contracts/interfaces/ITaskMarket.sol";
import {Statement} from "../../contracts/libraries/Statement.sol";
import {MlproofToken} from "../../contracts/token/MlproofToken.sol";
import {MockGroth16Verifier} from "./MockGroth16Verifier.sol";

/// @notice Deploys token, registry and market with test parameters, and offers helpers to stake, post, lock and
///         fulfil tasks. Tasks are rebuilt exactly as the market hashes them (see `_task`).
abstract contract MarketTestBase is Test {
    uint96 internal constant MIN_STAKE = 100e18;
    uint96 internal constant MIN_BOUNTY = 1e18;
    uint96 internal constant MIN_COLLATERAL = 10e18;
    uint32 internal constant UNBONDING = 7 days;
    uint32 internal constant MIN_DURATION = 60;
    uint32 internal constant MAX_DURATION = 7 days;
    uint16 internal constant SLASH_REQUESTER_BPS = 5_000;
    uint16 internal constant SLASH_CALLER_BPS = 1_000;
    uint16 internal constant SLASH_BURN_BPS = 2_000;
    uint16 internal constant FEE_BPS = 500;
    uint256 internal constant EPOCH = 1 days;
    uint48 internal constant ADMIN_DELAY = 2 days;
    uint256 internal constant BOUNTY = 5e18;
    uint256 internal constant COLLATERAL = 50e18;
    uint64 internal constant WORK_UNITS = 10;
    /// @dev BN254 scalar field modulus r.
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    /// @dev BN254 base field modulus q.
    uint256 internal constant Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583;

    MlproofToken internal token;
    ModelRegistry internal registry;
    IMlproofMarket internal market;

    address internal admin = makeAddr("admin");
    address internal requester = makeAddr("requester");
    address internal funder = makeAddr("funder");

    function _defaultParams() internal pure returns (IMarketGovernance.Params memory) {
        return IMarketGovernance.Params({
            minStake: MIN_STAKE,
            minBounty: MIN_BOUNTY,
            minCollateral: MIN_COLLATERAL,
            unbondingDelay: UNBONDING,
            minTaskDuration: MIN_DURATION,
            maxTaskDuration: MAX_DURATION,
            slashRequesterBps: SLASH_REQUESTER_BPS,
            slashCallerBps: SLASH_CALLER_BPS,
            slashBurnBps: SLASH_BURN_BPS,
            protocolFeeBps: FEE_BPS
        });
    }

    function _deployCore() internal {
        token = new MlproofToken(address(this));
        registry = new ModelRegistry(admin, ADMIN_DELAY);
        market = _newMarket(IERC20(address(token)), _defaultParams(), 0);
    }

    /// @dev A market on `token_` and the test registry, administered by `admin`.
    function _newMarket(IERC20 token_, IMarketGovernance.Params memory p, uint256 rate)
        internal
        returns (IMlproofMarket)
    {
        return IMlproofMarket(address(new MlproofMarket(token_, registry, EPOCH, admin, p, rate)));
    }

    /// @dev Registers a public-weight inference model with a mock verifier of the right input count.
    function _registerMock(uint32 inputWords, uint32 outputWords)
        internal
        returns (uint256 modelId, MockGroth16Verifier v)
    {
        v = new MockGroth16Verifier(uint256(inputWords) + outputWords);
        modelId = _register(address(v), inputWords, outputWords, false, 0);
    }

    function _register(address verifier, uint32 inputWords, uint32 outputWords, bool privateWeights, uint256 wc)
        internal
        returns (uint256 modelId)
    {
        vm.prank(admin);
        modelId = registry.registerModel(
            IModelRegistry.ModelParams({
                verifier: verifier,
                kind: IModelRegistry.Kind.Inference,
                commitment: keccak256("model"),
                privateWeights: privateWeights,
                weightsCommitment: wc,
                inputWords: inputWords,
                outputWords: outputWords,
                workUnits: WORK_UNITS,
                previous: 0,
                owner: admin,
                metadataURI: "ipfs://model"
            })
        );
    }

    function _stakeFor(address prover, uint256 amount) internal {
        token.mint(prover, amount);
        vm.startPrank(prover);
        token.approve(address(market), amount);
        market.stake(amount);
        vm.stopPrank();
    }

    function _fundEmissions(uint256 amount) internal {
        token.mint(funder, amount);
        vm.startPrank(funder);
        token.approve(address(market), amount);
        market.fundEmissions(amount);
        vm.stopPrank();
    }

    /// @dev Posts a task from `requester` with the default bounty and collateral; returns it as stored.
    function _post(uint256 modelId, uint256[] memory input)
        internal
        returns (ITaskMarket.Task memory task, bytes32 id)
    {
        return _postWith(requester, modelId, input, BOUNTY, COLLATERAL, block.timestamp + 1 hours);
    }

    function _postWith(
        address from,
        uint256 modelId,
        uint256[] memory input,
        uint256 bounty,
        uint256 collateral,
        uint256 deadline
    ) internal returns (ITaskMarket.Task memory task, bytes32 id) {
        uint256 escrow = bounty + market.feeFor(bounty);
        token.mint(from, escrow);
        vm.startPrank(from);
        token.approve(address(market), escrow);
        task = _task(from, modelId, input, bounty, collateral, deadline);
        id = market.postTask(modelId, input, bounty, collateral, deadline, "");
        vm.stopPrank();
    }

    /// @dev The task struct the market stores for these arguments (model fields from the registry).
    function _task(
        address from,
        uint256 modelId,
        uint256[] memory input,
        uint256 bounty,
        uint256 collateral,
        uint256 deadline
    ) internal view returns (ITaskMarket.Task memory) {
        IModelRegistry.Model memory m = registry.getModel(modelId);
        ITaskMarket.Task memory t;
        t.requester = from;
        t.modelId = uint64(modelId);
        t.deadline = uint32(deadline);
        t.verifier = m.verifier;
        t.workUnits = m.workUnits;
        t.outputWords = m.outputWords;
        t.privateWeights = m.privateWeights;
        t.weightsCommitment = m.weightsCommitment;
        t.bounty = uint96(bounty);
        t.minPrice = uint96(bounty);
        t.rampStart = uint32(block.timestamp);
        t.rampEnd = uint32(block.timestamp);
        t.fee = uint96(market.feeFor(bounty));
        t.collateral = uint96(collateral);
        t.pauseClock = uint32(market.pauseClock());
        t.input = input;
        return t;
    }

    /// @dev Locks `task` for `prover`; returns the task as the market now stores it (price fixed at the current
    ///      ramp price, slash terms from the current parameters).
    function _lock(ITaskMarket.Task memory task, address prover) internal returns (ITaskMarket.Task memory locked) {
        uint256 price = market.priceAt(task, block.timestamp);
        uint256 fee = market.feeAt(task, price);
        IMarketGovernance.Params memory p = market.params();
        vm.prank(prover);
        market.lockTask(task);
        locked = task;
        locked.prover = prover;
        locked.bounty = uint96(price);
        locked.minPrice = uint96(price);
        locked.fee = uint96(fee);
        locked.slashRequesterBps = p.slashRequesterBps;
        locked.slashCallerBps = p.slashCallerBps;
        locked.slashBurnBps = p.slashBurnBps;
        assertEq(market.openTaskHash(_statementId(task.modelId, task.input)), market.taskHash(locked), "locked task");
    }

    /// @dev A deep copy of `task` (memory structs are references: `_lock` writes to the struct it is given).
    function _clone(ITaskMarket.Task memory task) internal pure returns (ITaskMarket.Task memory) {
        return abi.decode(abi.encode(task), (ITaskMarket.Task));
    }

    /// @dev Posts a task with a price ramp from `from`, minting and approving the escrow (`offer.bounty` plus the
    ///      fee); returns it as stored.
    function _postOffer(address from, uint256 modelId, uint256[] memory input, ITaskMarket.Offer memory offer)
        internal
        returns (ITaskMarket.Task memory task, bytes32 id)
    {
        uint256 escrow = offer.bounty + market.feeFor(offer.bounty);
        token.mint(from, escrow);
        vm.startPrank(from);
        token.approve(address(market), escrow);
        task = _task(from, modelId, input, offer.bounty, offer.collateral, offer.deadline);
        task.minPrice = uint96(offer.minPrice);
        task.rampStart = uint32(block.timestamp + offer.rampDelay);
        task.rampEnd = uint32(block.timestamp + offer.rampDelay + offer.rampPeriod);
        id = market.postTaskWithOffer(modelId, input, offer, "");
        vm.stopPrank();
        assertEq(market.openTaskHash(id), market.taskHash(task), "posted task");
    }

    /// @dev Pauses the market as `admin` (which holds the pauser role).
    function _pauseMarket() internal {
        vm.prank(admin);
        market.pause();
    }

    /// @dev Lifts the pause as `admin`.
    function _unpauseMarket() internal {
        vm.prank(admin);
        market.unpause();
    }

    function _proof() internal pure returns (uint256[8] memory p) {
        for (uint256 i; i < 8; ++i) {
            p[i] = i + 1;
        }
    }

    function _words(uint256 a) internal pure returns (uint256[] memory w) {
        w = new uint256[](1);
        w[0] = a;
    }

    function _words(uint256 a, uint256 b, uint256 c) internal pure returns (uint256[] memory w) {
        w = new uint256[](3);
        w[0] = a;
        w[1] = b;
        w[2] = c;
    }

    /// @dev `word` with `payee` packed in at bit 88, as the market builds the last output word of the public inputs.
    function _packPayee(uint256 word, address payee) internal pure returns (uint256) {
        return Statement.bindPayee(word, payee);
    }

    /// @dev The public inputs the market passes for a public-weight model: `input ++ output`, with `payee` packed
    ///      into the last output word, hashed for the mock's expected hash. Built by the reference builder
    ///      `Statement.inference` (not by the market's in-place one; test/StatementLayout.t.sol checks both against
    ///      the Rust layout, and the tests that use this helper check it against a literal layout).
    function _publicInputsHash(uint256[] memory input, uint256[] memory output, address payee)
        internal
        pure
        returns (bytes32)
    {
        return keccak256(abi.encodePacked(Statement.inference(input, output, false, 0, payee)));
    }

    function _statementId(uint256 modelId, uint256[] memory input) internal pure returns (bytes32) {
        return keccak256(abi.encode(modelId, keccak256(abi.encodePacked(input))));
    }
}
