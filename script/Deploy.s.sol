// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Script, console2} from "forge-std/Script.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {MlproofMarket} from "../contracts/MlproofMarket.sol";
import {ModelRegistry} from "../contracts/ModelRegistry.sol";
import {IMarketGovernance} from "../contracts/interfaces/IMarketGovernance.sol";
import {MlproofToken} from "../contracts/token/MlproofToken.sol";

/// @title Deploy
/// @notice Deploys the mlproof core to a testnet: MlproofToken (testnet only: freely mintable by the deployer),
///         ModelRegistry and MlproofMarket, administered by the deployer. Models are registered separately (each
///         has its own generated verifier).
/// @dev Usage: `forge script script/Deploy.s.sol --rpc-url <url> --broadcast`. Environment variables:
///      - PRIVATE_KEY (required): deployer key; it holds the admin, registrar and treasury roles.
///      - TOKEN (optional): an existing ERC-20 to use instead of deploying MlproofToken.
///      - EPOCH_LENGTH (optional, default 86400): epoch length in seconds.
///      - ADMIN_DELAY (optional, default 86400): delay of a two-step admin transfer, in seconds.
///      - MIN_STAKE, MIN_BOUNTY, MIN_COLLATERAL (optional, defaults 100e18, 1e18, 10e18): base units.
///      - UNBONDING_DELAY (optional, default 604800): seconds.
///      - EMISSION_PER_EPOCH (optional, default 0): base units per epoch (fund with `fundEmissions`).
contract Deploy is Script {
    /// @notice Addresses of one deployment.
    struct Deployment {
        IERC20 token;
        ModelRegistry registry;
        MlproofMarket market;
    }

    /// @notice Reads the environment and deploys.
    /// @return d The deployed contracts.
    function run() external returns (Deployment memory d) {
        uint256 privateKey = vm.envUint("PRIVATE_KEY");
        address deployer = vm.addr(privateKey);
        IMarketGovernance.Params memory p = defaultParams();
        p.minStake = _amount("MIN_STAKE", p.minStake);
        p.minBounty = _amount("MIN_BOUNTY", p.minBounty);
        p.minCollateral = _amount("MIN_COLLATERAL", p.minCollateral);
        uint256 unbonding = vm.envOr("UNBONDING_DELAY", uint256(p.unbondingDelay));
        require(unbonding <= type(uint32).max, "UNBONDING_DELAY does not fit uint32");
        // forge-lint: disable-next-line(unsafe-typecast)
        p.unbondingDelay = uint32(unbonding);
        uint256 adminDelay = vm.envOr("ADMIN_DELAY", uint256(1 days));
        require(adminDelay <= type(uint48).max, "ADMIN_DELAY does not fit uint48");

        vm.startBroadcast(privateKey);
        // forge-lint: disable-next-line(unsafe-typecast)
        d = deploy(deployer, IERC20(vm.envOr("TOKEN", address(0))), vm.envOr("EPOCH_LENGTH", uint256(1 days)), uint48(adminDelay), p);
        uint256 emission = vm.envOr("EMISSION_PER_EPOCH", uint256(0));
        if (emission != 0) d.market.setEmissionPerEpoch(emission);
        vm.stopBroadcast();

        console2.log("token        ", address(d.token));
        console2.log("ModelRegistry", address(d.registry));
        console2.log("MlproofMarket", address(d.market));
    }

    /// @notice The default market parameters.
    function defaultParams() public pure returns (IMarketGovernance.Params memory) {
        return IMarketGovernance.Params({
            minStake: 100e18,
            minBounty: 1e18,
            minCollateral: 10e18,
            unbondingDelay: 7 days,
            minTaskDuration: 60,
            maxTaskDuration: 7 days,
            slashRequesterBps: 5_000,
            slashCallerBps: 1_000,
            slashBurnBps: 2_000
        });
    }

    /// @notice Deploys (a token if `token` is zero), the registry and the market, administered by `admin`.
    function deploy(address admin, IERC20 token, uint256 epochLength, uint48 adminDelay, IMarketGovernance.Params memory p)
        public
        returns (Deployment memory d)
    {
        d.token = address(token) == address(0) ? IERC20(address(new MlproofToken(admin))) : token;
        d.registry = new ModelRegistry(admin, adminDelay);
        d.market = new MlproofMarket(d.token, d.registry, epochLength, admin, adminDelay, p);
    }

    function _amount(string memory name, uint96 fallbackValue) private view returns (uint96) {
        uint256 v = vm.envOr(name, uint256(fallbackValue));
        require(v <= type(uint96).max, "amount does not fit uint96");
        // forge-lint: disable-next-line(unsafe-typecast)
        return uint96(v);
    }
}
