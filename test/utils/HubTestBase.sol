// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {InferenceHub} from "../../contracts/InferenceHub.sol";
import {ModelRegistry} from "../../contracts/ModelRegistry.sol";
import {Staking} from "../../contracts/Staking.sol";
import {MlproofToken} from "../../contracts/token/MlproofToken.sol";

/// @notice Deploys token, registry, staking and hub, and offers helpers to stake, fund and build inputs.
abstract contract HubTestBase is Test {
    uint256 internal constant MIN_STAKE = 100e18;
    uint64 internal constant DELAY = 7 days;
    uint256 internal constant REWARD = 10e18;
    /// @dev BN254 scalar field modulus r.
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    /// @dev BN254 base field modulus q.
    uint256 internal constant Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583;

    MlproofToken internal token;
    ModelRegistry internal registry;
    Staking internal staking;
    InferenceHub internal hub;

    address internal owner = makeAddr("owner");
    address internal funder = makeAddr("funder");

    function _deployCore() internal {
        token = new MlproofToken(address(this));
        registry = new ModelRegistry(address(this));
        staking = new Staking(IERC20(address(token)), MIN_STAKE, DELAY, owner);
        hub = new InferenceHub(registry, staking, IERC20(address(token)), REWARD, owner);
    }

    function _stakeFor(address prover, uint256 amount) internal {
        token.mint(prover, amount);
        vm.startPrank(prover);
        token.approve(address(staking), amount);
        staking.stake(amount);
        vm.stopPrank();
    }

    function _fundPool(uint256 amount) internal {
        token.mint(funder, amount);
        vm.startPrank(funder);
        token.approve(address(hub), amount);
        hub.fundRewards(amount);
        vm.stopPrank();
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

    function _statementId(uint256 modelId, uint256[] memory input) internal pure returns (bytes32) {
        return keccak256(abi.encode(modelId, keccak256(abi.encodePacked(input))));
    }
}
