// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {CommonBase} from "forge-std/Base.sol";
import {StdCheats} from "forge-std/StdCheats.sol";
import {StdUtils} from "forge-std/StdUtils.sol";
import {Vm} from "forge-std/Vm.sol";
import {console} from "forge-std/console.sol";
import {MlproofMarket} from "../../../contracts/MlproofMarket.sol";
import {IMarketGovernance} from "../../../contracts/interfaces/IMarketGovernance.sol";
import {IModelRegistry} from "../../../contracts/interfaces/IModelRegistry.sol";
import {IRewards} from "../../../contracts/interfaces/IRewards.sol";
import {IStaking} from "../../../contracts/interfaces/IStaking.sol";
import {ITaskMarket} from "../../../contracts/interfaces/ITaskMarket.sol";
import {IVerifiedOutputs} from "../../../contracts/interfaces/IVerifiedOutputs.sol";
import {Statement} from "../../../contracts/libraries/Statement.sol";
import {MlproofToken} from "../../../contracts/token/MlproofToken.sol";
import {MockGroth16Verifier} from "../../utils/MockGroth16Verifier.sol";

/// @notice Drives a deployed MlproofMarket through bounded, mostly-valid actions of a fixed set of actors
///         (provers, requesters, a keeper, a funder, the treasury) and keeps ghost accounting of every token flow.
/// @dev Ghost ledger. Every token the market holds is owed to exactly one bucket:
///        stakes (active + unbonding), escrowed bounties of open tasks, credits (`ghostCredit`), the unallocated
///        pool, emission of finalized epochs not yet settled or recycled, and donations.
///      Reward events (EpochFinalized, EmissionSettled, DustRecycled, Claimed) can be emitted by several entry
///      points (a fulfilment or a claim finalizes epochs and settles), so they are read back from the recorded logs
///      after every successful market call instead of being predicted; OutputVerified counts payouts per
///      statement. Bounties, refunds and slash shares are booked from the handler's own task records.
///      Expected reverts (wrong prover, replays, early slash, ...) are checked with try/catch: with
///      `fail_on_revert = false` an assertion inside a handler would be swallowed, so a violation is recorded in
///      `ghostViolations` / `lastViolation` and checked by an invariant instead.
///      The mock verifiers are armed with `setExpectedInputsHash` before every proof, so a proof is accepted only
///      for the exact statement `input ++ output ++ [weightsCommitment]` with the prover packed into the last
///      output word at bit 88.
contract MarketHandler is CommonBase, StdCheats, StdUtils {
    /// @dev BN254 scalar field order r.
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    /// @dev Cap on open tasks, which keeps the invariants' loops short.
    uint256 internal constant MAX_OPEN = 24;

    MlproofMarket public immutable market;
    MlproofToken public immutable token;
    address public immutable treasury;
    address public immutable keeper;
    address public immutable funder;

    uint256[] internal _models;
    address[] internal _provers;
    address[] internal _requesters;
    /// @dev Every address the market can credit: provers, requesters, keeper, treasury.
    address[] internal _accounts;

    /// @dev Open tasks exactly as the market hashes them (prover set once locked).
    ITaskMarket.Task[] internal _open;
    /// @dev Fulfilled tasks (for replays and re-posts, which must fail).
    ITaskMarket.Task[] internal _done;
    /// @dev Statement ids that were paid (fulfilled), in order; an id appears once per handler-side fulfil.
    bytes32[] internal _paidIds;
    /// @dev Epochs in which work was recorded.
    uint256[] internal _workEpochs;
    mapping(uint256 epoch => bool) internal _isWorkEpoch;

    uint256 internal _nonce;
    uint256[8] internal _proof = [uint256(1), 2, 3, 4, 5, 6, 7, 8];

    // ------------------------------------------------------------------ ghost state

    uint256 public ghostStakedIn;
    uint256 public ghostStakedOut;
    mapping(address => uint256) public ghostStakedBy;
    mapping(address => uint256) public ghostWithdrawnBy;
    mapping(address => uint256) public ghostSlashedOf;
    uint256 public ghostSlashedTotal;
    uint256 public ghostBurned;
    uint256 public ghostSlashShares;

    uint256 public ghostEscrowed;
    uint256 public ghostRefunded;
    uint256 public ghostBountyPaid;

    uint256 public ghostFunded;
    uint256 public ghostAllocated;
    uint256 public ghostSettled;
    uint256 public ghostRecycled;
    mapping(uint256 epoch => uint256) public ghostEpochEmission;
    mapping(uint256 epoch => uint256) public ghostEpochSettled;
    mapping(uint256 epoch => uint256) public ghostEpochRecycled;
    mapping(uint256 epoch => uint256) public ghostEpochUnits;
    /// @dev Mirror of the market's `_nextEpoch` (set from EpochFinalized logs).
    uint256 public ghostNextEpoch;
    /// @dev Mirror of each account's unsettled work (RewardAccount.workEpoch / workUnits).
    mapping(address => uint256) public ghostWorkEpoch;
    mapping(address => uint256) public ghostWorkUnits;

    /// @dev Claimable credit per account as the ledger says (bounties, refunds, slash shares, settled emission).
    mapping(address => uint256) public ghostCredit;
    uint256 public ghostCreditTotal;
    uint256 public ghostClaimed;
    mapping(address => uint256) public ghostClaimedBy;

    uint256 public ghostDonated;

    /// @dev OutputVerified events (fulfilments) seen per statement id, and the bounty of the task fulfilled.
    mapping(bytes32 => uint256) public ghostPayouts;
    mapping(bytes32 => uint256) public ghostPaidBounty;

    uint256 public ghostViolations;
    string public lastViolation;

    // ------------------------------------------------------------------ call summary

    uint256 internal constant N_ACTIONS = 19;
    uint256[N_ACTIONS] internal _calls;
    uint256[N_ACTIONS] internal _oks;

    uint256 internal constant A_STAKE = 0;
    uint256 internal constant A_UNSTAKE = 1;
    uint256 internal constant A_WITHDRAW = 2;
    uint256 internal constant A_POST = 3;
    uint256 internal constant A_LOCK = 4;
    uint256 internal constant A_FULFIL = 5;
    uint256 internal constant A_WRONG = 6;
    uint256 internal constant A_SLASH = 7;
    uint256 internal constant A_CANCEL = 8;
    uint256 internal constant A_FUND = 9;
    uint256 internal constant A_RATE = 10;
    uint256 internal constant A_CLAIM = 11;
    uint256 internal constant A_SETTLE = 12;
    uint256 internal constant A_FINALIZE = 13;
    uint256 internal constant A_RECYCLE = 14;
    uint256 internal constant A_WARP = 15;
    uint256 internal constant A_WARP_EPOCHS = 16;
    uint256 internal constant A_WARP_DEADLINE = 17;
    uint256 internal constant A_DONATE = 18;

    constructor(
        MlproofMarket market_,
        MlproofToken token_,
        address treasury_,
        uint256[] memory models_,
        address[] memory provers_,
        address[] memory requesters_,
        address keeper_,
        address funder_
    ) {
        market = market_;
        token = token_;
        treasury = treasury_;
        keeper = keeper_;
        funder = funder_;
        _models = models_;
        _provers = provers_;
        _requesters = requesters_;
        for (uint256 i; i < provers_.length; ++i) {
            _accounts.push(provers_[i]);
            vm.prank(provers_[i]);
            token_.approve(address(market_), type(uint256).max);
        }
        for (uint256 i; i < requesters_.length; ++i) {
            _accounts.push(requesters_[i]);
            vm.prank(requesters_[i]);
            token_.approve(address(market_), type(uint256).max);
        }
        _accounts.push(keeper_);
        _accounts.push(treasury_);
        vm.prank(funder_);
        token_.approve(address(market_), type(uint256).max);
    }

    // ================================================================== staking

    /// @notice A prover stakes a bounded amount.
    function stake(uint256 proverSeed, uint256 amount) external {
        _begin(A_STAKE);
        address p = _prover(proverSeed);
        _stake(p, _bound(amount, 1, 300e18));
        _ok(A_STAKE);
    }

    /// @notice A prover moves part of its free stake to unbonding (must fail while a slash is pending).
    function requestUnstake(uint256 proverSeed, uint256 amount) external {
        _begin(A_UNSTAKE);
        address p = _prover(proverSeed);
        IStaking.Account memory a = market.accountOf(p);
        uint256 free = a.active - a.locked;
        if (a.locked != 0 && amount % 4 == 0 && !market.slashPending(p)) {
            // More than the free stake: locked collateral must stay slashable.
            vm.prank(p);
            try market.requestUnstake(free + _bound(amount, 1, a.locked)) {
                _violation("unstaked locked collateral");
            } catch (bytes memory err) {
                _expectError(err, IStaking.StakingInsufficientFreeStake.selector, "unstake locked: wrong error");
            }
            return;
        }
        if (free == 0) return;
        amount = _bound(amount, 1, free);
        if (market.slashPending(p)) {
            vm.prank(p);
            try market.requestUnstake(amount) {
                _violation("requestUnstake with a slash pending");
            } catch (bytes memory err) {
                _expectError(err, IStaking.StakingSlashPending.selector, "requestUnstake: wrong error");
            }
            return;
        }
        vm.prank(p);
        try market.requestUnstake(amount) {}
        catch (bytes memory err) {
            return _unexpected("requestUnstake", err);
        }
        if (market.accountOf(p).locked != a.locked) _violation("requestUnstake touched locked collateral");
        _ok(A_UNSTAKE);
    }

    /// @notice A prover withdraws its unbonded stake, sometimes after warping to the release time; an early
    ///         withdrawal, or one while a slash is pending, must fail.
    function withdraw(uint256 proverSeed, uint256 warpSeed) external {
        _begin(A_WITHDRAW);
        address p = _prover(proverSeed);
        (uint256 amount, uint64 releaseAt) = market.unbondingOf(p);
        if (amount == 0) return;
        if (block.timestamp < releaseAt) {
            if (warpSeed % 3 == 0) {
                vm.prank(p);
                try market.withdraw() {
                    _violation("withdraw before release");
                } catch {}
                _flushLogs();
                return;
            }
            vm.warp(uint256(releaseAt) + _bound(warpSeed, 0, 1 days));
        }
        if (market.slashPending(p)) {
            vm.prank(p);
            try market.withdraw() {
                _violation("withdraw with a slash pending");
            } catch (bytes memory err) {
                _expectError(err, IStaking.StakingSlashPending.selector, "withdraw: wrong error");
            }
            return;
        }
        uint256 balanceBefore = token.balanceOf(p);
        vm.prank(p);
        uint256 out;
        try market.withdraw() returns (uint256 paid) {
            out = paid;
        } catch (bytes memory err) {
            return _unexpected("withdraw", err);
        }
        if (out != amount || token.balanceOf(p) - balanceBefore != amount) _violation("withdraw amount");
        ghostStakedOut += out;
        ghostWithdrawnBy[p] += out;
        _ok(A_WITHDRAW);
    }

    // ================================================================== tasks

    /// @notice A requester posts a task with a fresh input; sometimes it re-posts a fulfilled statement, which
    ///         must fail.
    function postTask(uint256 requesterSeed, uint256 modelSeed, uint256 bounty, uint256 collateral, uint256 duration)
        external
    {
        _begin(A_POST);
        if (_done.length != 0 && duration % 8 == 0) {
            address r = _requesters[requesterSeed % _requesters.length];
            ITaskMarket.Task memory d = _done[bounty % _done.length];
            IMarketGovernance.Params memory p0 = market.params();
            token.mint(r, p0.minBounty);
            vm.prank(r);
            try market.postTask(
                d.modelId, d.input, p0.minBounty, p0.minCollateral, block.timestamp + p0.minTaskDuration + 1, ""
            ) {
                _violation("re-posted a verified statement");
            } catch (bytes memory err) {
                _expectError(err, ITaskMarket.TaskMarketStatementTaken.selector, "re-post: wrong error");
            }
            return;
        }
        if (_post(requesterSeed, modelSeed, bounty, collateral, duration)) _ok(A_POST);
    }

    /// @notice An eligible prover with enough free stake locks an open, unlocked, unexpired task (posting one if
    ///         there is none); locking a task that is already locked must fail.
    function lockTask(uint256 proverSeed, uint256 taskSeed) external {
        _begin(A_LOCK);
        if (taskSeed % 5 == 0) {
            (bool isLocked, uint256 j) = _findOpen(taskSeed, true);
            if (isLocked) {
                ITaskMarket.Task memory l = _open[j];
                address other = _otherProver(l.prover, proverSeed);
                vm.prank(other);
                try market.lockTask(l) {
                    _violation("locked a locked task");
                } catch (bytes memory err) {
                    _expectError(err, ITaskMarket.TaskMarketLocked.selector, "re-lock: wrong error");
                }
                return;
            }
        }
        (bool found, uint256 i) = _liveTask(taskSeed, true);
        if (found && _lock(i, proverSeed)) _ok(A_LOCK);
    }

    /// @notice The honest fulfilment: the locking prover (or, for an unlocked task, any eligible prover) proves
    ///         the right statement before the deadline. Posts (and sometimes locks) a task if none is live.
    function fulfil(uint256 proverSeed, uint256 taskSeed, uint256 outSeed) external {
        _begin(A_FULFIL);
        (bool found, uint256 i) = _liveTask(taskSeed, false);
        if (!found) return;
        if (_open[i].prover == address(0) && outSeed % 3 == 0 && !_lock(i, proverSeed)) return;
        ITaskMarket.Task memory t = _open[i];
        address p = t.prover != address(0) ? t.prover : _proverFor(proverSeed, 0);
        if (p == address(0)) return;
        uint256[] memory out = _output(t.outputWords, outSeed);
        _arm(t, out, p);
        bytes32 id = _id(t);
        uint256 creditBefore = market.claimable(p);

        vm.prank(p);
        try market.fulfil(t, out, _proof) {}
        catch (bytes memory err) {
            return _unexpected("honest fulfil", err);
        }
        _processLogs();
        _recordFulfilment(t, p);

        (bool verified, uint256[] memory got) = market.verifiedOutput(t.modelId, keccak256(abi.encodePacked(t.input)));
        if (!verified || keccak256(abi.encode(got)) != keccak256(abi.encode(out))) _violation("verified output");
        if (market.openTaskHash(id) != bytes32(0)) _violation("fulfilled task still open");
        if (market.claimable(p) < creditBefore + t.bounty) _violation("bounty not credited");
        ghostPaidBounty[id] += t.bounty;
        _paidIds.push(id);
        _done.push(t);
        _removeOpen(i);
        _ok(A_FULFIL);
    }

    /// @notice Fulfilments that must fail: another prover on a locked task (with the real struct, or with a struct
    ///         forged to name it), a proof of another output, a proof bound to one prover submitted by another
    ///         (as is, or with the victim's address pre-filled in the payee bits), a replay of a fulfilled task,
    ///         and an ineligible prover (which may not lock either).
    function fulfilWrongProver(uint256 proverSeed, uint256 taskSeed, uint256 mode) external {
        _begin(A_WRONG);
        mode %= 7;
        if (mode == 5) {
            // A prover that is not eligible (stake below the minimum, or a slash pending) can neither fulfil an
            // unlocked task, even with a valid proof bound to itself, nor lock one.
            address x = address(0);
            for (uint256 k; k < _provers.length; ++k) {
                address c = _provers[(proverSeed % _provers.length + k) % _provers.length];
                if (!market.isEligible(c)) x = c;
            }
            if (x == address(0)) return;
            (bool live, uint256 j) = _liveTask(taskSeed, true);
            if (!live) return;
            ITaskMarket.Task memory u = _open[j];
            uint256[] memory uo = _output(u.outputWords, taskSeed);
            _arm(u, uo, x);
            _tryFulfil(u, uo, x, ITaskMarket.TaskMarketNotEligible.selector, "ineligible prover fulfilled");
            vm.prank(x);
            try market.lockTask(u) {
                _violation("ineligible prover locked");
            } catch (bytes memory err) {
                _expectError(err, ITaskMarket.TaskMarketNotEligible.selector, "ineligible lock: wrong error");
            }
            _ok(A_WRONG);
            return;
        }
        if (mode == 4) {
            if (_done.length == 0) return;
            ITaskMarket.Task memory d = _done[taskSeed % _done.length];
            address q = d.prover != address(0) ? d.prover : _proverFor(proverSeed, 0);
            if (q == address(0)) return;
            uint256[] memory o = _output(d.outputWords, proverSeed);
            _arm(d, o, q);
            _tryFulfil(d, o, q, ITaskMarket.TaskMarketUnknownTask.selector, "replayed a fulfilled task");
            _ok(A_WRONG);
            return;
        }
        bool found;
        uint256 i;
        if (mode <= 1) (found, i) = _lockedLiveTask(taskSeed, proverSeed);
        else (found, i) = _liveTask(taskSeed, mode >= 3);
        if (!found) return;
        ITaskMarket.Task memory t = _open[i];
        uint256[] memory out = _output(t.outputWords, taskSeed ^ mode);

        if (mode == 0) {
            // The wrong prover holds a valid proof for itself; the lock still belongs to t.prover.
            address w = _otherProver(t.prover, proverSeed);
            _arm(t, out, w);
            _tryFulfil(t, out, w, ITaskMarket.TaskMarketLocked.selector, "wrong prover fulfilled a locked task");
        } else if (mode == 1) {
            // The wrong prover rewrites the struct to name itself: the hash no longer matches.
            address w = _otherProver(t.prover, proverSeed);
            ITaskMarket.Task memory f = _copy(t);
            f.prover = w;
            _arm(f, out, w);
            _tryFulfil(f, out, w, ITaskMarket.TaskMarketUnknownTask.selector, "forged lock accepted");
        } else if (mode == 2) {
            // The rightful prover submits a proof of a different output than the one it claims.
            address p = t.prover != address(0) ? t.prover : _proverFor(proverSeed, 0);
            if (p == address(0)) return;
            _arm(t, out, p);
            uint256[] memory other = _copyWords(out);
            other[other.length - 1] ^= 1;
            _tryFulfil(t, other, p, ITaskMarket.TaskMarketInvalidProof.selector, "proof of another output");
        } else {
            // An unlocked task: the proof is bound to `a`; `b` copies it from the mempool.
            address a = _proverFor(proverSeed, 0);
            if (a == address(0)) return;
            address b = _eligibleProver(proverSeed % _provers.length + 1, a);
            if (b == address(0)) return;
            _arm(t, out, a);
            if (mode == 3) {
                _tryFulfil(t, out, b, ITaskMarket.TaskMarketInvalidProof.selector, "front-run a proof bound to another");
            } else {
                // The copier pre-fills the payee bits with `a` so that `a`'s statement would come out.
                uint256[] memory filled = _copyWords(out);
                filled[filled.length - 1] = Statement.bindPayee(filled[filled.length - 1], a);
                _tryFulfil(
                    t, filled, b, ITaskMarket.TaskMarketOutputNotPacked.selector, "front-run with the payee pre-filled"
                );
            }
        }
        _ok(A_WRONG);
    }

    /// @notice Slashes a locked task after its deadline (posting and locking one if none is locked, and warping
    ///         past the deadline if needed); slashing before the deadline, or slashing twice, must fail.
    function slash(uint256 callerSeed, uint256 taskSeed, uint256 wait) external {
        _begin(A_SLASH);
        (bool found, uint256 i) = _findOpen(taskSeed, true);
        if (!found) {
            (found, i) = _liveTask(taskSeed, true);
            if (!found || !_lock(i, wait)) return;
        }
        ITaskMarket.Task memory t = _open[i];
        address caller = _account(callerSeed);
        if (block.timestamp <= t.deadline) {
            if (wait % 4 == 0) {
                vm.prank(caller);
                try market.slash(t) {
                    _violation("slashed before the deadline");
                } catch (bytes memory err) {
                    _expectError(err, ITaskMarket.TaskMarketNotExpired.selector, "early slash: wrong error");
                }
                return;
            }
            vm.warp(uint256(t.deadline) + 1 + _bound(wait, 0, 2 hours));
        }
        if (_slash(i, caller)) _ok(A_SLASH);
    }

    /// @notice Cancels an unlocked task: by its requester at any time, by anyone after the deadline. A stranger
    ///         before the deadline, or anyone on a locked task, must fail.
    function cancelTask(uint256 callerSeed, uint256 taskSeed) external {
        _begin(A_CANCEL);
        if (_open.length == 0) return;
        uint256 i = taskSeed % _open.length;
        ITaskMarket.Task memory t = _open[i];
        address caller = callerSeed % 2 == 0 ? t.requester : _account(callerSeed);
        if (t.prover != address(0)) {
            vm.prank(caller);
            try market.cancelTask(t) {
                _violation("cancelled a locked task");
            } catch (bytes memory err) {
                _expectError(err, ITaskMarket.TaskMarketLocked.selector, "cancel locked: wrong error");
            }
            return;
        }
        if (caller != t.requester && block.timestamp <= t.deadline) {
            vm.prank(caller);
            try market.cancelTask(t) {
                _violation("stranger cancelled before the deadline");
            } catch (bytes memory err) {
                _expectError(err, ITaskMarket.TaskMarketNotRequester.selector, "cancel: wrong error");
            }
            return;
        }
        if (_cancel(i, caller)) _ok(A_CANCEL);
    }

    // ================================================================== rewards

    /// @notice The funder adds to the emission pool.
    function fundEmissions(uint256 amount) external {
        _begin(A_FUND);
        amount = _bound(amount, 1, 500e18);
        token.mint(funder, amount);
        vm.prank(funder);
        try market.fundEmissions(amount) {}
        catch (bytes memory err) {
            return _unexpected("fundEmissions", err);
        }
        _processLogs();
        ghostFunded += amount;
        _ok(A_FUND);
    }

    /// @notice The treasury changes the emission per epoch (finalizing ended epochs at the old rate).
    function setEmissionPerEpoch(uint256 rate) external {
        _begin(A_RATE);
        rate = rate % 5 == 0 ? 0 : _bound(rate, 1, 40e18);
        vm.prank(treasury);
        try market.setEmissionPerEpoch(rate) {}
        catch (bytes memory err) {
            return _unexpected("setEmissionPerEpoch", err);
        }
        _processLogs();
        _ok(A_RATE);
    }

    /// @notice An account claims; the amount paid must equal `claimable` just before, and `claimable` is 0 after.
    function claim(uint256 accountSeed) external {
        _begin(A_CLAIM);
        address a = _account(accountSeed);
        uint256 expected = market.claimable(a);
        for (uint256 k = 1; expected == 0 && accountSeed % 4 != 0 && k < _accounts.length; ++k) {
            address b = _account(accountSeed % _accounts.length + k);
            uint256 c = market.claimable(b);
            if (c != 0) (a, expected) = (b, c);
        }
        if (expected == 0) {
            vm.prank(a);
            try market.claim() {
                _violation("claimed with nothing claimable");
            } catch (bytes memory err) {
                _expectError(err, IRewards.RewardsNothingToClaim.selector, "empty claim: wrong error");
            }
            return;
        }
        if (_claim(a, expected)) _ok(A_CLAIM);
    }

    /// @notice Anyone settles an account's emission share; `claimable` must not change.
    function settle(uint256 accountSeed) external {
        _begin(A_SETTLE);
        address a = _account(accountSeed);
        uint256 before = market.claimable(a);
        vm.prank(keeper);
        try market.settle(a) {}
        catch (bytes memory err) {
            return _unexpected("settle", err);
        }
        _processLogs();
        if (market.claimable(a) != before) _violation("settle changed claimable");
        _ok(A_SETTLE);
    }

    /// @notice Anyone finalizes ended epochs.
    function finalizeEpochs() external {
        _begin(A_FINALIZE);
        vm.prank(keeper);
        try market.finalizeEpochs() {}
        catch (bytes memory err) {
            return _unexpected("finalizeEpochs", err);
        }
        _processLogs();
        if (ghostNextEpoch != market.currentEpoch()) _violation("finalizeEpochs left an ended epoch");
        _ok(A_FINALIZE);
    }

    /// @notice Recycles the dust of a fully settled epoch; an unfinalized or partly settled epoch must fail.
    function recycleDust(uint256 epochSeed) external {
        _begin(A_RECYCLE);
        uint256 e;
        uint256 pick = epochSeed % 4;
        if (_workEpochs.length == 0 || pick == 0) {
            e = ghostNextEpoch + _bound(epochSeed, 0, 3);
        } else if (pick == 1 && ghostNextEpoch != 0) {
            e = epochSeed % ghostNextEpoch;
        } else {
            e = _workEpochs[epochSeed % _workEpochs.length];
        }
        IRewards.Epoch memory info = market.epochInfo(e);
        if (pick == 3 && e < ghostNextEpoch && info.settledUnits != info.units) {
            // Settle everyone first (anyone may), which makes the epoch recyclable.
            for (uint256 k; k < _accounts.length; ++k) {
                vm.prank(keeper);
                try market.settle(_accounts[k]) {}
                catch (bytes memory err) {
                    return _unexpected("settle", err);
                }
                _processLogs();
            }
            info = market.epochInfo(e);
        }
        bool recyclable = e < ghostNextEpoch && info.units != 0 && info.settledUnits == info.units;
        vm.prank(keeper);
        if (!recyclable) {
            try market.recycleDust(e) {
                _violation("recycled an unsettled epoch");
            } catch (bytes memory err) {
                _expectError(err, IRewards.RewardsEpochNotSettled.selector, "recycle: wrong error");
            }
            return;
        }
        try market.recycleDust(e) {}
        catch (bytes memory err) {
            return _unexpected("recycleDust", err);
        }
        _processLogs();
        _ok(A_RECYCLE);
    }

    // ================================================================== time and donations

    /// @notice Warps within an epoch.
    function warp(uint256 seconds_) external {
        _begin(A_WARP);
        skip(_bound(seconds_, 1, 12 hours));
        _ok(A_WARP);
    }

    /// @notice Warps across one to three epochs.
    function warpEpochs(uint256 n) external {
        _begin(A_WARP_EPOCHS);
        skip(_bound(n, 1, 3) * market.epochLength() + n % 1 hours);
        _ok(A_WARP_EPOCHS);
    }

    /// @notice Warps to one second before, exactly at, or one second after an open task's deadline.
    function warpToDeadline(uint256 taskSeed, uint256 offset) external {
        _begin(A_WARP_DEADLINE);
        if (_open.length == 0) return;
        uint256 target = uint256(_open[taskSeed % _open.length].deadline) + (offset % 3) - 1;
        if (target <= block.timestamp) return;
        vm.warp(target);
        _ok(A_WARP_DEADLINE);
    }

    /// @notice Sends tokens to the market directly (not through any entry point).
    function donate(uint256 amount) external {
        _begin(A_DONATE);
        amount = _bound(amount, 1, 100e18);
        token.mint(address(market), amount);
        ghostDonated += amount;
        _ok(A_DONATE);
    }

    // ================================================================== end-of-run drain

    /// @notice Pays everyone out (not a fuzz target; called from `afterInvariant`): settles every open task past
    ///         its deadline, finalizes, settles and claims every account, recycles all dust, unstakes and withdraws
    ///         every prover. Any revert here means funds are stuck.
    function drain() external {
        _flushLogs();
        vm.warp(block.timestamp + market.params().maxTaskDuration + 1);
        while (_open.length != 0) {
            uint256 i = _open.length - 1;
            bool done = _open[i].prover != address(0) ? _slash(i, keeper) : _cancel(i, keeper);
            require(done, lastViolation);
        }
        skip(market.epochLength());
        vm.prank(keeper);
        market.finalizeEpochs();
        _processLogs();
        for (uint256 k; k < _accounts.length; ++k) {
            address a = _accounts[k];
            vm.prank(keeper);
            market.settle(a);
            _processLogs();
            uint256 amount = market.claimable(a);
            if (amount != 0) require(_claim(a, amount), lastViolation);
        }
        for (uint256 k; k < _workEpochs.length; ++k) {
            uint256 e = _workEpochs[k];
            IRewards.Epoch memory info = market.epochInfo(e);
            if (info.settledUnits != info.units) _violation("epoch not fully settled after drain");
            vm.prank(keeper);
            market.recycleDust(e);
            _processLogs();
        }
        for (uint256 k; k < _provers.length; ++k) {
            address p = _provers[k];
            uint256 free = market.freeStakeOf(p);
            if (market.accountOf(p).lockCount != 0) _violation("lock left after drain");
            if (free != 0) {
                vm.prank(p);
                market.requestUnstake(free);
            }
        }
        skip(uint256(market.unbondingDelay()) + 1);
        for (uint256 k; k < _provers.length; ++k) {
            address p = _provers[k];
            (uint256 amount,) = market.unbondingOf(p);
            if (amount == 0) continue;
            vm.prank(p);
            uint256 out = market.withdraw();
            ghostStakedOut += out;
            ghostWithdrawnBy[p] += out;
        }
    }

    // ================================================================== views for the invariants

    function provers() external view returns (address[] memory) {
        return _provers;
    }

    function accounts() external view returns (address[] memory) {
        return _accounts;
    }

    function openTasks() external view returns (ITaskMarket.Task[] memory) {
        return _open;
    }

    function paidIds() external view returns (bytes32[] memory) {
        return _paidIds;
    }

    function workEpochs() external view returns (uint256[] memory) {
        return _workEpochs;
    }

    /// @notice Sum of the bounties escrowed by open tasks.
    function openEscrow() public view returns (uint256 sum) {
        for (uint256 i; i < _open.length; ++i) {
            sum += _open[i].bounty;
        }
    }

    /// @notice Sum of the ledger credits of every account.
    function creditSum() public view returns (uint256 sum) {
        for (uint256 i; i < _accounts.length; ++i) {
            sum += ghostCredit[_accounts[i]];
        }
    }

    /// @notice Emission of finalized epochs neither settled to a prover nor recycled into the pool.
    function reservedUnpaid() public view returns (uint256) {
        return ghostAllocated - ghostSettled - ghostRecycled;
    }

    /// @notice Debugging: how often each action was called and got through.
    function callSummary() external view {
        string[N_ACTIONS] memory names = [
            "stake",
            "requestUnstake",
            "withdraw",
            "postTask",
            "lockTask",
            "fulfil",
            "fulfilWrongProver",
            "slash",
            "cancelTask",
            "fundEmissions",
            "setEmissionPerEpoch",
            "claim",
            "settle",
            "finalizeEpochs",
            "recycleDust",
            "warp",
            "warpEpochs",
            "warpToDeadline",
            "donate"
        ];
        console.log("action / calls / completed");
        for (uint256 i; i < N_ACTIONS; ++i) {
            console.log(names[i], _calls[i], _oks[i]);
        }
        console.log("open tasks", _open.length, "paid statements", _paidIds.length);
        console.log("work epochs", _workEpochs.length, "next epoch", ghostNextEpoch);
        console.log("funded / allocated", ghostFunded, ghostAllocated);
        console.log("settled / recycled", ghostSettled, ghostRecycled);
        console.log("slashed / claimed", ghostSlashedTotal, ghostClaimed);
    }

    // ================================================================== internals

    /// @dev Posts a fresh task (mostly short, sometimes up to the maximum duration); false if the list is full.
    function _post(uint256 requesterSeed, uint256 modelSeed, uint256 bounty, uint256 collateral, uint256 duration)
        internal
        returns (bool)
    {
        if (_open.length >= MAX_OPEN) return false;
        address r = _requesters[requesterSeed % _requesters.length];
        uint256 modelId = _models[modelSeed % _models.length];
        IMarketGovernance.Params memory p = market.params();
        bounty = _bound(bounty, p.minBounty, 50e18);
        collateral = _bound(collateral, p.minCollateral, 200e18);
        uint256 longest = duration % 4 == 0 ? p.maxTaskDuration : 6 hours;
        uint256 deadline = block.timestamp + _bound(duration, uint256(p.minTaskDuration) + 1, longest);
        ITaskMarket.Task memory t = _taskFor(r, modelId, bounty, collateral, deadline);

        token.mint(r, bounty);
        vm.prank(r);
        bytes32 id;
        try market.postTask(modelId, t.input, bounty, collateral, deadline, "") returns (bytes32 posted) {
            id = posted;
        } catch (bytes memory err) {
            _unexpected("postTask", err);
            return false;
        }
        if (id != _id(t)) _violation("statement id");
        if (market.openTaskHash(id) != market.taskHash(t)) _violation("stored task hash");
        ghostEscrowed += bounty;
        _open.push(t);
        return true;
    }

    /// @dev An open task from `seed` on that is not past its deadline (and unlocked if `unlockedOnly`); posts a
    ///      fresh one if there is none.
    function _liveTask(uint256 seed, bool unlockedOnly) internal returns (bool, uint256) {
        uint256 n = _open.length;
        for (uint256 k; k < n; ++k) {
            uint256 index = (seed % n + k) % n;
            if (block.timestamp <= _open[index].deadline && (!unlockedOnly || _open[index].prover == address(0))) {
                return (true, index);
            }
        }
        uint256 h = uint256(keccak256(abi.encode(seed, _nonce)));
        if (!_post(h, h >> 8, h >> 16, h >> 80, h >> 144)) return (false, 0);
        return (true, _open.length - 1);
    }

    /// @dev A locked open task from `seed` on that is not past its deadline; locks a live one if there is none.
    function _lockedLiveTask(uint256 seed, uint256 proverSeed) internal returns (bool, uint256) {
        uint256 n = _open.length;
        for (uint256 k; k < n; ++k) {
            uint256 index = (seed % n + k) % n;
            if (block.timestamp <= _open[index].deadline && _open[index].prover != address(0)) return (true, index);
        }
        (bool found, uint256 i) = _liveTask(seed, true);
        if (!found || !_lock(i, proverSeed)) return (false, 0);
        return (true, i);
    }

    /// @dev Locks open task `i` for a prover that can take it; false if no prover can.
    function _lock(uint256 i, uint256 proverSeed) internal returns (bool) {
        ITaskMarket.Task memory t = _open[i];
        address p = _proverFor(proverSeed, t.collateral);
        if (p == address(0)) return false;
        vm.prank(p);
        try market.lockTask(t) {}
        catch (bytes memory err) {
            _unexpected("lockTask", err);
            return false;
        }
        _open[i].prover = p;
        t.prover = p;
        if (market.openTaskHash(_id(t)) != market.taskHash(t)) _violation("locked task hash");
        return true;
    }

    /// @dev A prover that is eligible with `collateral` of free stake, from `seed` on; failing that, one without a
    ///      pending slash whose stake is topped up until it is. Zero if every prover has a slash pending.
    function _proverFor(uint256 seed, uint256 collateral) internal returns (address) {
        uint256 n = _provers.length;
        for (uint256 k; k < n; ++k) {
            address c = _provers[(seed % n + k) % n];
            if (market.isEligible(c) && market.freeStakeOf(c) >= collateral) return c;
        }
        uint256 minStake = market.minStake();
        for (uint256 k; k < n; ++k) {
            address c = _provers[(seed % n + k) % n];
            if (market.slashPending(c)) continue;
            uint256 active = market.stakeOf(c);
            uint256 free = market.freeStakeOf(c);
            uint256 need = 1;
            if (active < minStake && minStake - active > need) need = minStake - active;
            if (free < collateral && collateral - free > need) need = collateral - free;
            _stake(c, need);
            return c;
        }
        return address(0);
    }

    function _stake(address p, uint256 amount) internal {
        token.mint(p, amount);
        vm.prank(p);
        try market.stake(amount) {}
        catch (bytes memory err) {
            return _unexpected("stake", err);
        }
        ghostStakedIn += amount;
        ghostStakedBy[p] += amount;
    }

    function _slash(uint256 i, address caller) internal returns (bool) {
        ITaskMarket.Task memory t = _open[i];
        IMarketGovernance.Params memory p = market.params();
        uint256 c = t.collateral;
        uint256 toRequester = c * p.slashRequesterBps / 10_000;
        uint256 toCaller = c * p.slashCallerBps / 10_000;
        uint256 burned = c * p.slashBurnBps / 10_000;
        uint256 toTreasury = c - toRequester - toCaller - burned;
        address tr = market.treasury();
        uint256 burnBefore = token.balanceOf(address(0xdEaD));

        vm.prank(caller);
        try market.slash(t) {}
        catch (bytes memory err) {
            _unexpected("slash after the deadline", err);
            return false;
        }
        _processLogs();

        if (token.balanceOf(address(0xdEaD)) - burnBefore != burned) _violation("burned amount");
        _creditLedger(t.requester, toRequester + t.bounty);
        _creditLedger(caller, toCaller);
        _creditLedger(tr, toTreasury);
        ghostRefunded += t.bounty;
        ghostSlashShares += toRequester + toCaller + toTreasury;
        ghostBurned += burned;
        ghostSlashedOf[t.prover] += c;
        ghostSlashedTotal += c;

        vm.prank(caller);
        try market.slash(t) {
            _violation("slashed twice");
        } catch (bytes memory err) {
            _expectError(err, ITaskMarket.TaskMarketUnknownTask.selector, "double slash: wrong error");
        }
        _removeOpen(i);
        return true;
    }

    function _cancel(uint256 i, address caller) internal returns (bool) {
        ITaskMarket.Task memory t = _open[i];
        vm.prank(caller);
        try market.cancelTask(t) {}
        catch (bytes memory err) {
            _unexpected("cancelTask", err);
            return false;
        }
        _processLogs();
        _creditLedger(t.requester, t.bounty);
        ghostRefunded += t.bounty;
        _removeOpen(i);
        return true;
    }

    function _claim(address a, uint256 expected) internal returns (bool) {
        uint256 balanceBefore = token.balanceOf(a);
        vm.prank(a);
        uint256 amount;
        try market.claim() returns (uint256 paid) {
            amount = paid;
        } catch (bytes memory err) {
            _unexpected("claim", err);
            return false;
        }
        _processLogs();
        if (amount != expected) _violation("claim != claimable");
        if (token.balanceOf(a) - balanceBefore != amount) _violation("claim transfer");
        if (market.claimable(a) != 0) _violation("claimable after claim");
        return true;
    }

    function _tryFulfil(
        ITaskMarket.Task memory t,
        uint256[] memory out,
        address from,
        bytes4 expected,
        string memory what
    ) internal {
        vm.prank(from);
        try market.fulfil(t, out, _proof) {
            _violation(what);
        } catch (bytes memory err) {
            _expectError(err, expected, what);
        }
    }

    /// @dev Ledger effects of a fulfilment by `p`, after its logs (which settle `p`'s older work) are read: the
    ///      bounty is credited and the task's work units are recorded in the current epoch.
    function _recordFulfilment(ITaskMarket.Task memory t, address p) internal {
        ghostBountyPaid += t.bounty;
        _creditLedger(p, t.bounty);
        uint256 e = market.currentEpoch();
        if (ghostWorkUnits[p] != 0 && ghostWorkEpoch[p] != e) _violation("unsettled work of an older epoch");
        ghostWorkEpoch[p] = e;
        ghostWorkUnits[p] += t.workUnits;
        ghostEpochUnits[e] += t.workUnits;
        if (!_isWorkEpoch[e]) {
            _isWorkEpoch[e] = true;
            _workEpochs.push(e);
        }
    }

    function _creditLedger(address a, uint256 amount) internal {
        ghostCredit[a] += amount;
        ghostCreditTotal += amount;
    }

    /// @dev Reads the market's events since the last flush, in order, into the ghost ledger.
    function _processLogs() internal {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        bool finalized;
        for (uint256 i; i < logs.length; ++i) {
            Vm.Log memory l = logs[i];
            if (l.emitter != address(market) || l.topics.length == 0) continue;
            bytes32 sig = l.topics[0];
            if (sig == IRewards.EpochFinalized.selector) {
                uint256 e = uint256(l.topics[1]);
                (uint256 units, uint256 emission) = abi.decode(l.data, (uint256, uint256));
                if (e != ghostNextEpoch) _violation("finalized out of order");
                if (units != ghostEpochUnits[e]) _violation("finalized units");
                if (units == 0 && emission != 0) _violation("emission to an epoch without work");
                ghostEpochEmission[e] = emission;
                ghostAllocated += emission;
                finalized = true;
            } else if (sig == IRewards.EmissionSettled.selector) {
                address p = address(uint160(uint256(l.topics[1])));
                uint256 e = uint256(l.topics[2]);
                uint256 amount = abi.decode(l.data, (uint256));
                if (ghostWorkUnits[p] == 0 || ghostWorkEpoch[p] != e) _violation("settled unknown work");
                ghostEpochSettled[e] += amount;
                ghostSettled += amount;
                ghostWorkUnits[p] = 0;
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
                // One per successful fulfilment: counts how often each statement was paid.
                ghostPayouts[keccak256(abi.encode(uint256(l.topics[1]), l.topics[2]))] += 1;
            }
        }
        if (finalized) ghostNextEpoch = market.currentEpoch();
    }

    /// @dev Starts an action: counts it and drops logs left over from reverted calls.
    function _begin(uint256 action) internal {
        ++_calls[action];
        vm.recordLogs();
        _flushLogs();
    }

    function _ok(uint256 action) internal {
        ++_oks[action];
    }

    function _flushLogs() internal {
        vm.getRecordedLogs();
    }

    /// @dev An action the handler only makes when it must succeed reverted: a violation (reverts are otherwise
    ///      swallowed with `fail_on_revert = false`).
    function _unexpected(string memory what, bytes memory err) internal {
        _violation(string.concat(what, " reverted: ", vm.toString(err)));
        _flushLogs();
    }

    function _violation(string memory what) internal {
        ++ghostViolations;
        lastViolation = what;
    }

    /// @dev Records a violation unless `err` is the custom error `selector`; drops logs of the failed call.
    function _expectError(bytes memory err, bytes4 selector, string memory what) internal {
        if (err.length < 4 || bytes4(err) != selector) _violation(what);
        _flushLogs();
    }

    /// @dev Points the model's mock verifier at exactly this statement and prover: the public inputs are
    ///      `input ++ output ++ [weightsCommitment]` with the prover packed into the last output word.
    function _arm(ITaskMarket.Task memory t, uint256[] memory out, address p) internal {
        MockGroth16Verifier(t.verifier).setExpectedInputsHash(keccak256(abi.encodePacked(_publicInputs(t, out, p))));
    }

    function _publicInputs(ITaskMarket.Task memory t, uint256[] memory out, address p)
        internal
        pure
        returns (uint256[] memory)
    {
        return Statement.inference(t.input, out, t.privateWeights, t.weightsCommitment, p);
    }

    function _taskFor(address r, uint256 modelId, uint256 bounty, uint256 collateral, uint256 deadline)
        internal
        returns (ITaskMarket.Task memory t)
    {
        IModelRegistry.Model memory model = IModelRegistry(market.registry()).getModel(modelId);
        uint256[] memory input = new uint256[](model.inputWords);
        ++_nonce;
        for (uint256 k; k < input.length; ++k) {
            input[k] = uint256(keccak256(abi.encode("input", _nonce, k))) % R;
        }
        t = ITaskMarket.Task({
            requester: r,
            modelId: uint64(modelId),
            deadline: uint32(deadline),
            verifier: model.verifier,
            workUnits: model.workUnits,
            outputWords: model.outputWords,
            privateWeights: model.privateWeights,
            weightsCommitment: model.weightsCommitment,
            bounty: uint96(bounty),
            collateral: uint96(collateral),
            prover: address(0),
            input: input
        });
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

    function _copyWords(uint256[] memory w) internal pure returns (uint256[] memory c) {
        c = new uint256[](w.length);
        for (uint256 k; k < w.length; ++k) {
            c[k] = w[k];
        }
    }

    function _removeOpen(uint256 i) internal {
        uint256 last = _open.length - 1;
        if (i != last) _open[i] = _open[last];
        _open.pop();
    }

    /// @dev First open task from `seed` on that is locked (`locked`) or not.
    function _findOpen(uint256 seed, bool locked) internal view returns (bool found, uint256 index) {
        uint256 n = _open.length;
        for (uint256 k; k < n; ++k) {
            index = (seed % n + k) % n;
            if ((_open[index].prover != address(0)) == locked) return (true, index);
        }
        return (false, 0);
    }

    function _prover(uint256 seed) internal view returns (address) {
        return _provers[seed % _provers.length];
    }

    function _account(uint256 seed) internal view returns (address) {
        return _accounts[seed % _accounts.length];
    }

    /// @dev An eligible prover other than `not`, searching from `seed`; zero if none.
    function _eligibleProver(uint256 seed, address not) internal view returns (address) {
        for (uint256 k; k < _provers.length; ++k) {
            address c = _provers[(seed % _provers.length + k) % _provers.length];
            if (c != not && market.isEligible(c)) return c;
        }
        return address(0);
    }

    function _otherProver(address p, uint256 seed) internal view returns (address) {
        uint256 n = _provers.length;
        uint256 idx;
        for (uint256 k; k < n; ++k) {
            if (_provers[k] == p) idx = k;
        }
        return _provers[(idx + 1 + seed % (n - 1)) % n];
    }
}
