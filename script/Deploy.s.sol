// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Script, console2} from "forge-std/Script.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {InferenceHub} from "../contracts/InferenceHub.sol";
import {ModelRegistry} from "../contracts/ModelRegistry.sol";
import {Staking} from "../contracts/Staking.sol";
import {MlproofToken} from "../contracts/token/MlproofToken.sol";

/// @title Deploy
/// @notice Deploys the mlproof core: MlproofToken, ModelRegistry, Staking and InferenceHub, all owned by the
///         deployer. Models are registered separately (each model has its own generated verifier).
/// @dev Usage: `forge script script/Deploy.s.sol --rpc-url <url> --broadcast`.
///      Environment variables:
///      - PRIVATE_KEY (required): deployer key; the deployer owns every contract.
///      - MIN_STAKE (optional, default 100e18): minimum active stake, in token base units (> 0).
///      - UNBONDING_DELAY (optional, default 604800 = 7 days): unbonding delay in seconds (<= 30 days).
///      - REWARD_PER_PROOF (optional, default 1e18): reward per verified proof, in base units (<= 1,000,000e18).
contract Deploy is Script {
    /// @notice Addresses of one deployment.
    struct Deployment {
        MlproofToken token;
        ModelRegistry registry;
        Staking staking;
        InferenceHub hub;
    }

    /// @notice Reads the environment and deploys the four contracts.
    /// @return d The deployed contracts.
    function run() external returns (Deployment memory d) {
        uint256 privateKey = vm.envUint("PRIVATE_KEY");
        uint256 minStake = vm.envOr("MIN_STAKE", uint256(100e18));
        uint256 delay = vm.envOr("UNBONDING_DELAY", uint256(7 days));
        uint256 rewardPerProof = vm.envOr("REWARD_PER_PROOF", uint256(1e18));
        require(delay <= type(uint64).max, "UNBONDING_DELAY does not fit uint64");
        address deployer = vm.addr(privateKey);

        vm.startBroadcast(privateKey);
        // delay <= type(uint64).max was required above, so the cast is exact.
        // forge-lint: disable-next-line(unsafe-typecast)
        d = deploy(deployer, minStake, uint64(delay), rewardPerProof);
        vm.stopBroadcast();

        console2.log("MlproofToken ", address(d.token));
        console2.log("ModelRegistry", address(d.registry));
        console2.log("Staking      ", address(d.staking));
        console2.log("InferenceHub ", address(d.hub));
    }

    /// @notice Deploys the four contracts owned by `owner` (callable inside or outside a broadcast).
    /// @param owner Owner of the token, staking and hub.
    /// @param minStake Minimum active stake.
    /// @param unbondingDelay Unbonding delay in seconds.
    /// @param rewardPerProof Reward per verified proof.
    /// @return d The deployed contracts.
    function deploy(address owner, uint256 minStake, uint64 unbondingDelay, uint256 rewardPerProof)
        public
        returns (Deployment memory d)
    {
        d.token = new MlproofToken(owner);
        d.registry = new ModelRegistry(owner);
        d.staking = new Staking(IERC20(address(d.token)), minStake, unbondingDelay, owner);
        d.hub = new InferenceHub(d.registry, d.staking, IERC20(address(d.token)), rewardPerProof, owner);
    }
}
