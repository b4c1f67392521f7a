// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {CommonBase} from "forge-std/Base.sol";
import {StdCheats} from "forge-std/StdCheats.sol";
import {StdUtils} from "forge-std/StdUtils.sol";
import {Vm} from "forge-std/Vm.sol";
import {IMarketGovernance} from "../../../contracts/interfaces/IMarketGovernance.sol";
import {IMlproofMarket} from "../../../contracts/interfaces/IMlproofMarket.sol";
import {IModelRegistry} from "../../../contracts/interfaces/IModelRegistry.sol";
import {IRewards} from "../../../contracts/interfaces/IRewards.sol";
import {IStaking} from "../../../contracts/interfaces/IStaking.sol";
import {ITaskMarket} from "../../../contracts/interfaces/ITaskMarket.sol";
import {IVerifiedOutputs} from "../../../contracts/interfaces/IVerifiedOutputs.sol";
import {Statement} from "../../../contracts/libraries/Statement.sol";
import {MlproofToken} from "../../../contracts/token/MlproofToken.sol";
import {MockGroth16Verifier} from "../../utils/MockGroth16Verifier.sol";

/// @notice State, ghost ledger and shared internals of the market invariant handler (see MarketHandler).
/// @dev Ghost ledger. Every token the market holds is owed to exactly one bucket:
///        stakes (active + unbonding), escrow of open tasks (bounty + fee), credits (`ghostCredit`), the
///        unallocated pool, emission of finalized epochs not yet settled or recycled, protocol fees of the
///        unfinalized epoch (`ghostOpenFees`, credited to the treasury at finalization), and donations.
///      Reward events (EpochFinalized, EmissionSettled, DustRecycled, Claimed) can come from several entry points
///      (a fulfilment or a claim finalizes epochs and settles), so they are read back from the recorded logs after
///      every successful market call (`_sync`) and checked against an independent model (rates, carry, pool);
///      task payments (prices, refunds, slash shares) are booked from the handler's own task records and its own
///      price ramp and pause clock (`_price`, `_pauseClock`), never from the market's views.
///      Every task operation is attempted with a predicted outcome: a success the model forbids, or a revert with
///      another error than predicted, is a violation. With `fail_on_revert = false` an assertion inside a handler
///      would be swallowed, so violations are counted (per property) and checked by the invariants.
abstract contract MarketHandlerBase is CommonBase, StdCheats, StdUtils {
    /// @dev BN254 scalar field order r.
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    /// @dev Cap on open tasks, which keeps the invariants' loops short.
    uint256 internal constant MAX_OPEN = 24;
    /// @dev Cap on the self-dealer's requester addresses (created as the run needs them).
    uint256 internal constant MAX_SYBILS = 5;
    uint256 internal constant CANCEL_NOTICE = 600;
    uint256 internal constant MAX_PAUSE = 14 days;
    uint256 internal constant PAUSE_COOLDOWN = 3 days;
    uint256 internal constant MAX_CARRY_EPOCHS = 4;
    uint256 internal constant MIN_OUTBID_BPS = 1_000;
    address internal constant BURN = 0x000000000000000000000000000000000000dEaD;

    IMlproofMarket public immutable market;
    MlproofToken public immutable token;
    /// @dev Holds every role and is the treasury.
    address public immutable admin;
    address public immutable keeper;
    address public immutable funder;
    /// @dev The self-dealing prover (never does honest work; see SelfDealingActions).
    address public immutable sybilProver;

    uint256[] internal _models;
    /// @dev Honest provers (the self-dealer is not one of them).
    address[] internal _provers;
    address[] internal _requesters;
    /// @dev Honest addresses the market can credit (provers, requesters, keeper, treasury): the slash callers.
    address[] internal _honest;
    /// @dev Every address the market can credit: `_honest`, the self-dealer and its requesters.
    address[] internal _accounts;
    /// @dev The self-dealer's requester addresses.
    address[] internal _sybils;
    mapping(address => bool) internal _inSybilGroup;

    /// @dev Open tasks exactly as the market hashes them (as locked, once locked).
    ITaskMarket.Task[] internal _open;
    /// @dev Fulfilled tasks (for replays and re-posts, which must fail).
    ITaskMarket.Task[] internal _done;
    bytes32[] internal _paidIds;
    uint256[] internal _workEpochs;
    mapping(uint256 epoch => bool) internal _isWorkEpoch;
    /// @dev Emission rate schedule: rate `_rateVal[k]` applies from epoch `_rateFrom[k]` on.
    uint256[] internal _rateFrom;
    uint256[] internal _rateVal;

    uint256 internal _nonce;
    uint256[8] internal _proof = [uint256(1), 2, 3, 4, 5, 6, 7, 8];

    // ------------------------------------------------------------------ ghost ledger

    uint256 public ghostStakedIn;
    uint256 public ghostStakedOut;
    mapping(address => uint256) public ghostStakedBy;
    mapping(address => uint256) public ghostWithdrawnBy;
    mapping(address => uint256) public ghostSlashedOf;
    uint256 public ghostSlashedTotal;
    uint256 public ghostBurned;
    uint256 public ghostSlashShares;

    /// @dev Escrow (bounty + fee) taken in at posting, and what left it: prices paid, fees taken, refunds.
    uint256 public ghostEscrowed;
    uint256 public ghostRefunded;
    uint256 public ghostPricePaid;
    uint256 public ghostFeesTaken;

    uint256 public ghostFunded;
    uint256 public ghostAllocated;
    uint256 public ghostSettled;
    uint256 public ghostRecycled;
    uint256 public ghostFeesToTreasury;
    /// @dev Fees recorded since the last finalization (the market's `_currentFees`).
    uint256 public ghostOpenFees;
    mapping(uint256 epoch => uint256) public ghostEpochFees;
    mapping(uint256 epoch => uint256) public ghostEpochEmission;
    mapping(uint256 epoch => uint256) public ghostEpochSettled;
    mapping(uint256 epoch => uint256) public ghostEpochRecycled;
    /// @dev Mirror of the market's lowest unfinalized epoch.
    uint256 public ghostNextEpoch;
    /// @dev Mirror of each account's unsettled work (RewardAccount.workEpoch / workFees).
    mapping(address => uint256) public ghostWorkEpoch;
    mapping(address => uint256) public ghostWorkFees;
    /// @dev The market's pool and carry after the last synced call (what a finalization starts from).
    uint256 internal _poolBefore;
    uint256 internal _carryBefore;

    mapping(address => uint256) public ghostCredit;
    uint256 public ghostCreditTotal;
    uint256 public ghostClaimed;
    mapping(address => uint256) public ghostClaimedBy;
    uint256 public ghostDonated;

    mapping(bytes32 => uint256) public ghostPayouts;

    /// @dev Independent pause clock: seconds paused before the current pause, and the current pause.
    bool public ghostPaused;
    uint256 public ghostPausedAt;
    uint256 public ghostPausedSeconds;
    /// @dev When the last pause was lifted (0: never); a new pause needs PAUSE_COOLDOWN after it.
    uint256 public ghostUnpausedAt;
    /// @dev Statement id => active-clock time a requested cancellation is due (0: none requested).
    mapping(bytes32 => uint256) public ghostCancelDue;

    /// @dev Self-dealing group (the self-dealer and its requesters): tokens minted to it (all it ever put in),
    ///      fees its requesters paid on tasks the self-dealer took, and emission settled to the self-dealer.
    uint256 public ghostSybilMinted;
    uint256 public ghostSybilFeesPaid;
    uint256 public ghostSybilEmission;

    // ------------------------------------------------------------------ violations, one counter per property

    uint256 public ghostViolations;
    string public lastViolation;
    /// @dev (b) an epoch got more emission than its fees, the pool, or `min(rate + carry, pool, fees)`.
    uint256 public ghostEmissionViolations;
    /// @dev (d) a slash succeeded while paused or before the task's effective deadline.
    uint256 public ghostBadSlashes;
    /// @dev (e) a lock or unlocked fulfil priced outside [minPrice, bounty] or off the ramp, or refunded wrongly.
    uint256 public ghostBadPrices;
    /// @dev (f) a fulfil succeeded once its cancellation was due, or a locked task was cancelled.
    uint256 public ghostBadCancels;
    /// @dev (h) a prover's free stake could not be moved to unbonding.
    uint256 public ghostUnstakeRefused;
    string public lastPropertyViolation;

    // ------------------------------------------------------------------ call summary

    uint256 internal constant N_ACTIONS = 32;
    uint256[N_ACTIONS] internal _calls;
    uint256[N_ACTIONS] internal _oks;

    constructor(
        IMlproofMarket market_,
        MlproofToken token_,
        address admin_,
        address keeper_,
        address funder_,
        address sybilProver_
    ) {
        market = market_;
        token = token_;
        admin = admin_;
        keeper = keeper_;
        funder = funder_;
        sybilProver = sybilProver_;
        _rateFrom.push(0);
        _rateVal.push(market_.emissionPerEpoch());
    }

    /// @dev Registers an address the market may credit, and approves the market to pull its tokens.
    function _addAccount(address a, bool honest) internal {
        _accounts.push(a);
        if (honest) _honest.push(a);
        vm.prank(a);
        token.approve(address(market), type(uint256).max);
    }

    // ================================================================== clocks and prices (the model)

    /// @dev Seconds paused so far, the current pause included.
    function _pauseClock() internal view returns (uint256) {
        return ghostPausedSeconds + (ghostPaused ? block.timestamp - ghostPausedAt : 0);
    }

    /// @dev Wall time minus the pause clock.
    function _activeNow() internal view returns (uint256) {
        return block.timestamp - _pauseClock();
    }

    /// @dev The task's deadline on the wall clock, shifted by every pause since it was posted.
    function _effectiveDeadline(ITaskMarket.Task memory t) internal view returns (uint256) {
        return uint256(t.deadline) + _pauseClock() - t.pauseClock;
    }

    function _expired(ITaskMarket.Task memory t) internal view returns (bool) {
        return block.timestamp > _effectiveDeadline(t);
    }

    function _cancelIsDue(bytes32 id) internal view returns (bool) {
        uint256 due = ghostCancelDue[id];
        return due != 0 && _activeNow() >= due;
    }

    /// @dev The reverse-Dutch price at `ts`: minPrice until rampStart, linear to bounty at rampEnd, then bounty.
    function _price(ITaskMarket.Task memory t, uint256 ts) internal pure returns (uint256) {
        if (ts >= t.rampEnd) return t.bounty;
        if (ts <= t.rampStart) return t.minPrice;
        return t.minPrice + (uint256(t.bounty) - t.minPrice) * (ts - t.rampStart) / (uint256(t.rampEnd) - t.rampStart);
    }

    function _feeAt(ITaskMarket.Task memory t, uint256 price) internal pure returns (uint256) {
        return uint256(t.fee) * price / t.bounty;
    }

    /// @dev The emission rate the schedule gives epoch `e`.
    function _rateOf(uint256 e) internal view returns (uint256) {
        for (uint256 k = _rateFrom.length; k > 0; --k) {
            if (_rateFrom[k - 1] <= e) return _rateVal[k - 1];
        }
        return 0;
    }

    function _eligible(address p) internal view returns (bool) {
        uint256 active = market.accountOf(p).active;
        return active != 0 && active >= market.params().minStake;
    }

    // ================================================================== ledger booking

    function _creditLedger(address a, uint256 amount) internal {
        ghostCredit[a] += amount;
        ghostCreditTotal += amount;
    }

    /// @dev Books a successful fulfilment of `t` by `p` at `price` (its logs already synced): `p` is credited the
    ///      price, the requester the rest of the escrow but the fee, and the fee is recorded in this epoch.
    function _bookFulfilment(ITaskMarket.Task memory t, address p, uint256 price) internal {
        uint256 fee = _feeAt(t, price);
        ghostPricePaid += price;
        ghostFeesTaken += fee;
        ghostRefunded += uint256(t.bounty) - price + t.fee - fee;
        _creditLedger(p, price);
        _creditLedger(t.requester, uint256(t.bounty) - price + t.fee - fee);
        ghostOpenFees += fee;
        uint256 e = market.currentEpoch();
        ghostEpochFees[e] += fee;
        if (ghostWorkFees[p] != 0 && ghostWorkEpoch[p] != e) _violation("unsettled work of an older epoch");
        ghostWorkEpoch[p] = e;
        ghostWorkFees[p] += fee;
        if (!_isWorkEpoch[e]) {
            _isWorkEpoch[e] = true;
            _workEpochs.push(e);
        }
        if (p == sybilProver && _inSybilGroup[t.requester]) ghostSybilFeesPaid += fee;
    }

    /// @dev Reads the market's events since the last flush into the ghost ledger, checking every finalization
    ///      against the model, then snapshots pool and carry for the next one.
    function _sync() internal {
        _syncLogs(vm.getRecordedLogs());
    }

    /// @dev `_sync` of logs already taken from the recorder (an action that also reads them itself).
    function _syncLogs(Vm.Log[] memory logs) internal {
        bool finalized;
        for (uint256 i; i < logs.length; ++i) {
            Vm.Log memory l = logs[i];
            if (l.emitter != address(market) || l.topics.length == 0) continue;
            bytes32 sig = l.topics[0];
            if (sig == IRewards.EpochFinalized.selector) {
                _onFinalized(uint256(l.topics[1]), l.data);
                finalized = true;
            } else if (sig == IRewards.EmissionSettled.selector) {
                address p = address(uint160(uint256(l.topics[1])));
                uint256 e = uint256(l.topics[2]);
                uint256 amount = abi.decode(l.data, (uint256));
                if (ghostWorkFees[p] == 0 || ghostWorkEpoch[p] != e) _violation("settled unknown work");
                if (amount > ghostWorkFees[p]) _emissionViolation("a share larger than the fees it is weighted by");
                ghostEpochSettled[e] += amount;
                ghostSettled += amount;
                ghostWorkFees[p] = 0;
                if (p == sybilProver) ghostSybilEmission += amount;
                _creditLedger(p, amount);
            } else if (sig == IRewards.DustRecycled.selector) {
                uint256 e = uint256(l.topics[1]);
                uint256 amount = abi.decode(l.data, (uint256));
                ghostEpochRecycled[e] += amount;
                ghostRecycled += amount;
            } else if (sig == IRewards.Claimed.selector) {
                address a = address(uint160(uint256(l.topics[1])));
                uint256 amount = abi.decode(l.data, (uint256));
                if (amount != ghostCredit[a]) _violation("claimed != ledger credit");
                ghostCreditTotal -= ghostCredit[a];
                ghostCredit[a] = 0;
                ghostClaimed += amount;
                ghostClaimedBy[a] += amount;
            } else if (sig == IVerifiedOutputs.OutputVerified.selector) {
                ghostPayouts[keccak256(abi.encode(uint256(l.topics[1]), l.topics[2]))] += 1;
            }
        }
        if (finalized) ghostNextEpoch = market.currentEpoch();
        _poolBefore = market.unallocatedEmissions();
        _carryBefore = market.carriedEmission();
    }

    /// @dev (b): the finalized epoch gets exactly `min(rate + carry, pool, fees)`, hence at most its fees, the
    ///      pool and (MAX_CARRY_EPOCHS + 1) rates; its fees go to the treasury.
    function _onFinalized(uint256 e, bytes memory data) internal {
        (uint256 fees, uint256 emission) = abi.decode(data, (uint256, uint256));
        if (e != ghostNextEpoch) _violation("finalized out of order");
        if (fees != ghostOpenFees || fees != ghostEpochFees[e]) _violation("finalized fees");
        uint256 rate = _rateOf(e);
        uint256 expected = fees == 0 ? 0 : rate + _carryBefore;
        if (expected > _poolBefore) expected = _poolBefore;
        if (expected > fees) expected = fees;
        if (emission > fees) _emissionViolation("epoch emission > its fees");
        if (emission > _poolBefore) _emissionViolation("epoch emission > the pool");
        if (emission > (MAX_CARRY_EPOCHS + 1) * rate) _emissionViolation("epoch emission > (cap + 1) rates");
        if (emission != expected) _emissionViolation("epoch emission != min(rate + carry, pool, fees)");
        ghostEpochEmission[e] = emission;
        ghostAllocated += emission;
        _poolBefore -= emission > _poolBefore ? _poolBefore : emission;
        _creditLedger(admin, fees);
        ghostFeesToTreasury += fees;
        ghostOpenFees = 0;
    }

    // ================================================================== violations and logs

    /// @dev Starts an action: counts it and drops logs left over from reverted calls.
    function _begin(uint256 action) internal {
        ++_calls[action];
        vm.recordLogs();
        vm.getRecordedLogs();
    }

    function _ok(uint256 action) internal {
        ++_oks[action];
    }

    function _unexpected(string memory what, bytes memory err) internal {
        _violation(string.concat(what, " reverted: ", vm.toString(err)));
        vm.getRecordedLogs();
    }

    function _violation(string memory what) internal {
        ++ghostViolations;
        lastViolation = what;
    }

    function _emissionViolation(string memory what) internal {
        ++ghostEmissionViolations;
        lastPropertyViolation = what;
    }

    function _property(uint256 which, string memory what) internal {
        if (which == 0) ++ghostBadSlashes;
        else if (which == 1) ++ghostBadPrices;
        else if (which == 2) ++ghostBadCancels;
        else ++ghostUnstakeRefused;
        lastPropertyViolation = what;
    }

    /// @dev Records a violation unless `err` is the custom error `selector`; drops logs of the failed call.
    function _expectError(bytes memory err, bytes4 selector, string memory what) internal {
        if (err.length < 4 || bytes4(err) != selector) {
            _violation(string.concat(what, ": got ", vm.toString(err)));
        }
        vm.getRecordedLogs();
    }

    // ================================================================== tasks

    /// @dev Points the model's mock verifier at exactly this statement and payee.
    function _arm(ITaskMarket.Task memory t, uint256[] memory out, address p) internal {
        MockGroth16Verifier(t.verifier)
            .setExpectedInputsHash(
                keccak256(abi.encodePacked(Statement.inference(t.input, out, t.privateWeights, t.weightsCommitment, p)))
            );
    }

    /// @dev The task the market stores for this offer posted now by `r`, with a fresh input.
    function _taskFor(address r, uint256 modelId, ITaskMarket.Offer memory o)
        internal
        returns (ITaskMarket.Task memory t)
    {
        IModelRegistry.Model memory model = IModelRegistry(market.registry()).getModel(modelId);
        uint256[] memory input = new uint256[](model.inputWords);
        ++_nonce;
        for (uint256 k; k < input.length; ++k) {
            input[k] = uint256(keccak256(abi.encode("input", _nonce, k))) % R;
        }
        t = _offerTask(r, modelId, input, o);
    }

    function _offerTask(address r, uint256 modelId, uint256[] memory input, ITaskMarket.Offer memory o)
        internal
        view
        returns (ITaskMarket.Task memory t)
    {
        IModelRegistry.Model memory model = IModelRegistry(market.registry()).getModel(modelId);
        t.requester = r;
        t.modelId = uint64(modelId);
        t.deadline = uint32(o.deadline);
        t.verifier = model.verifier;
        t.workUnits = model.workUnits;
        t.outputWords = model.outputWords;
        t.privateWeights = model.privateWeights;
        t.weightsCommitment = model.weightsCommitment;
        t.bounty = uint96(o.bounty);
        t.minPrice = uint96(o.minPrice);
        t.rampStart = uint32(block.timestamp + o.rampDelay);
        t.rampEnd = uint32(block.timestamp + o.rampDelay + o.rampPeriod);
        t.fee = uint96(o.bounty * market.params().protocolFeeBps / 10_000);
        t.collateral = uint96(o.collateral);
        t.pauseClock = uint32(_pauseClock());
        t.input = input;
    }

    /// @dev A valid random offer under the current parameters: a fixed price or a ramp, mostly short deadlines.
    function _offer(uint256 seed, bool ramp) internal view returns (ITaskMarket.Offer memory o) {
        IMarketGovernance.Params memory p = market.params();
        o.bounty = _bound(seed, p.minBounty, 50e18);
        o.collateral = _bound(seed >> 64, p.minCollateral, 200e18);
        uint256 longest = (seed >> 128) % 4 == 0 ? p.maxTaskDuration : 6 hours;
        uint256 duration = _bound(seed >> 136, uint256(p.minTaskDuration) + 1, longest);
        o.deadline = block.timestamp + duration;
        o.minPrice = o.bounty;
        if (ramp) {
            o.minPrice = _bound(seed >> 160, p.minBounty, o.bounty);
            // rampEnd must be before the deadline.
            o.rampDelay = uint32(_bound(seed >> 192, 0, (duration - 1) / 2));
            o.rampPeriod = uint32(_bound(seed >> 224, 0, duration - 1 - o.rampDelay));
        }
    }

    /// @dev Output words as a prover passes them: field elements, the last one with the payee bits clear.
    function _output(uint256 words, uint256 seed) internal pure returns (uint256[] memory out) {
        out = new uint256[](words);
        for (uint256 k; k < words; ++k) {
            out[k] = uint256(keccak256(abi.encode("output", seed, k))) % R;
        }
        out[words - 1] &= (uint256(1) << Statement.PAYEE_SHIFT) - 1;
    }

    function _id(ITaskMarket.Task memory t) internal pure returns (bytes32) {
        return keccak256(abi.encode(uint256(t.modelId), keccak256(abi.encodePacked(t.input))));
    }

    function _copy(ITaskMarket.Task memory t) internal pure returns (ITaskMarket.Task memory c) {
        c = abi.decode(abi.encode(t), (ITaskMarket.Task));
    }

    function _removeOpen(uint256 i) internal {
        delete ghostCancelDue[_id(_open[i])];
        uint256 last = _open.length - 1;
        if (i != last) _open[i] = _open[last];
        _open.pop();
    }

    /// @dev Filters for `_pick`.
    uint8 internal constant ANY = 0;
    uint8 internal constant UNLOCKED = 1;
    uint8 internal constant LOCKED = 2;
    /// @dev Unlocked, not expired, no cancellation requested, requester honest (an honest prover may lock it).
    uint8 internal constant LOCKABLE = 3;
    /// @dev Not expired.
    uint8 internal constant LIVE = 4;
    /// @dev Unlocked, requested by the self-dealing group, not expired, no cancellation requested.
    uint8 internal constant SYBIL_UNLOCKED = 5;
    /// @dev Locked by the self-dealer, not expired.
    uint8 internal constant SYBIL_LOCKED = 6;

    /// @dev The first open task from `seed` on that passes `filter`.
    function _pick(uint256 seed, uint8 filter) internal view returns (bool, uint256) {
        uint256 n = _open.length;
        for (uint256 k; k < n; ++k) {
            uint256 i = (seed % n + k) % n;
            ITaskMarket.Task memory t = _open[i];
            bool locked = t.prover != address(0);
            bool ok;
            if (filter == ANY) {
                ok = true;
            } else if (filter == UNLOCKED) {
                ok = !locked;
            } else if (filter == LOCKED) {
                ok = locked;
            } else if (filter == LOCKABLE) {
                ok = !locked && !_expired(t) && ghostCancelDue[_id(t)] == 0 && !_inSybilGroup[t.requester];
            } else if (filter == LIVE) {
                ok = !_expired(t);
            } else if (filter == SYBIL_UNLOCKED) {
                ok = !locked && _inSybilGroup[t.requester] && !_expired(t) && ghostCancelDue[_id(t)] == 0;
            } else {
                ok = t.prover == sybilProver && !_expired(t);
            }
            if (ok) return (true, i);
        }
        return (false, 0);
    }

    // ================================================================== actors

    /// @dev An honest prover that is eligible with `collateral` of free stake, from `seed` on; failing that, one
    ///      whose stake is topped up until it is (zero while paused, when staking is closed).
    function _proverFor(uint256 seed, uint256 collateral) internal returns (address) {
        uint256 n = _provers.length;
        for (uint256 k; k < n; ++k) {
            address c = _provers[(seed % n + k) % n];
            if (_eligible(c) && market.freeStakeOf(c) >= collateral) return c;
        }
        if (ghostPaused) return address(0);
        address q = _provers[seed % n];
        _topUp(q, collateral);
        return q;
    }

    /// @dev Stakes enough for `p` to be eligible with `collateral` free.
    function _topUp(address p, uint256 collateral) internal {
        uint256 minStake = market.minStake();
        uint256 active = market.stakeOf(p);
        uint256 free = market.freeStakeOf(p);
        uint256 need = 1;
        if (active < minStake && minStake - active > need) need = minStake - active;
        if (free < collateral && collateral - free > need) need = collateral - free;
        _stake(p, need);
    }

    /// @dev Mints `amount` to `a` (counted as paid in if `a` belongs to the self-dealing group).
    function _mint(address a, uint256 amount) internal {
        token.mint(a, amount);
        if (_inSybilGroup[a]) ghostSybilMinted += amount;
    }

    function _stake(address p, uint256 amount) internal {
        _mint(p, amount);
        vm.prank(p);
        try market.stake(amount) {}
        catch (bytes memory err) {
            return _unexpected("stake", err);
        }
        ghostStakedIn += amount;
        ghostStakedBy[p] += amount;
    }

    /// @dev The pauser pauses for `duration` seconds and lifts the pause.
    function _pauseFor(uint256 duration) internal {
        if (!_pauseAllowed()) return;
        vm.prank(admin);
        try market.pause() {}
        catch (bytes memory err) {
            return _unexpected("pause", err);
        }
        ghostPaused = true;
        ghostPausedAt = block.timestamp;
        skip(duration);
        vm.prank(admin);
        try market.unpause() {}
        catch (bytes memory err) {
            return _unexpected("unpause", err);
        }
        vm.getRecordedLogs();
        ghostPausedSeconds += duration;
        ghostPaused = false;
        ghostPausedAt = 0;
        ghostUnpausedAt = block.timestamp;
    }

    /// @dev Whether the pauser may pause now: not paused, and PAUSE_COOLDOWN since the last pause was lifted.
    function _pauseAllowed() internal view returns (bool) {
        return !ghostPaused && (ghostUnpausedAt == 0 || block.timestamp >= ghostUnpausedAt + PAUSE_COOLDOWN);
    }

    function _account(uint256 seed) internal view returns (address) {
        return _accounts[seed % _accounts.length];
    }

    function _honestAccount(uint256 seed) internal view returns (address) {
        return _honest[seed % _honest.length];
    }

    function _otherProver(address p, uint256 seed) internal view returns (address) {
        uint256 n = _provers.length;
        uint256 idx = n;
        for (uint256 k; k < n; ++k) {
            if (_provers[k] == p) idx = k;
        }
        if (idx == n) return _provers[seed % n];
        return _provers[(idx + 1 + seed % (n - 1)) % n];
    }
}
