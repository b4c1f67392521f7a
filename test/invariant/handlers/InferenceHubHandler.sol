// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {CommonBase} from "forge-std/Base.sol";
import {StdCheats} from "forge-std/StdCheats.sol";
import {StdUtils} from "forge-std/StdUtils.sol";
import {InferenceHub} from "../../../contracts/InferenceHub.sol";
import {MlproofToken} from "../../../contracts/token/MlproofToken.sol";

/// @notice Drives the hub's reward flow (fund, submit, claim, reward changes, donations) with ghost sums.
/// @dev The hub is wired to a test verifier that accepts every proof: this handler exercises accounting only.
contract InferenceHubHandler is CommonBase, StdCheats, StdUtils {
    InferenceHub public immutable hub;
    MlproofToken public immutable token;
    uint256 public immutable modelId;

    address[] internal _actors;
    address internal immutable _funder = address(0xF00D);
    uint256 internal _nonce;
    uint256[8] internal _proof;

    uint256 public ghostFunded;
    uint256 public ghostCredited;
    uint256 public ghostClaimed;
    uint256 public ghostDonated;
    uint256 public ghostSubmitted;

    constructor(InferenceHub hub_, MlproofToken token_, uint256 modelId_, address[] memory actors_) {
        hub = hub_;
        token = token_;
        modelId = modelId_;
        _actors = actors_;
        vm.prank(_funder);
        token.approve(address(hub), type(uint256).max);
    }

    function actors() external view returns (address[] memory) {
        return _actors;
    }

    function fund(uint256 amount) external {
        amount = bound(amount, 1, 1_000e18);
        token.mint(_funder, amount);
        vm.prank(_funder);
        hub.fundRewards(amount);
        ghostFunded += amount;
    }

    function submit(uint256 actorSeed) external {
        address actor = _actors[actorSeed % _actors.length];
        uint256[] memory input = new uint256[](3);
        input[0] = ++_nonce; // a fresh statement every time
        uint256[] memory output = new uint256[](1);
        uint256 before = hub.rewardOf(actor);
        vm.prank(actor);
        hub.submit(modelId, input, output, _proof);
        ghostCredited += hub.rewardOf(actor) - before;
        ++ghostSubmitted;
    }

    function claim(uint256 actorSeed) external {
        address actor = _actors[actorSeed % _actors.length];
        if (hub.rewardOf(actor) == 0) return;
        vm.prank(actor);
        ghostClaimed += hub.claim();
    }

    function setRewardPerProof(uint256 reward) external {
        vm.prank(hub.owner());
        hub.setRewardPerProof(bound(reward, 0, 100e18));
    }

    function donate(uint256 amount) external {
        amount = bound(amount, 1, 100e18);
        token.mint(address(hub), amount);
        ghostDonated += amount;
    }
}
