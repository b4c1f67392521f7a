// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Script, console2} from "forge-std/Script.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {MlproofMarket} from "../contracts/MlproofMarket.sol";
import {ModelRegistry} from "../contracts/ModelRegistry.sol";
import {MlproofTimelock} from "../contracts/governance/MlproofTimelock.sol";
import {IMarketGovernance} from "../contracts/interfaces/IMarketGovernance.sol";
import {IMlproofMarket} from "../contracts/interfaces/IMlproofMarket.sol";
import {MlproofToken} from "../contracts/token/MlproofToken.sol";

/// @title Deploy
/// @notice Deploys the mlproof core to a testnet: MlproofToken (testnet only: freely mintable by the deployer),
///         ModelRegistry, a TimelockController (MlproofTimelock) and MlproofMarket, whose admin and treasury roles
///         (parameters, emissions, treasury, role grants) and treasury account are handed to the timelock, so every
///         such change is scheduled publicly and executed only after GOVERNANCE_DELAY. The deployer keeps the
///         pauser role (a bounded emergency brake: see IMarketGovernance) and proposes to the timelock. Models are
///         registered separately (each has its own generated verifier).
/// @dev Usage: `forge script script/Deploy.s.sol --rpc-url <url> --broadcast`. Environment variables:
///      - PRIVATE_KEY (required): deployer key; proposer and executor of the timelock, pauser, registrar.
///      - TOKEN (optional): an existing ERC-20 to use instead of deploying MlproofToken.
///      - EPOCH_LENGTH (optional, default 86400): epoch length in seconds.
///      - ADMIN_DELAY (optional, default 86400): registry admin transfer delay, in seconds.
///      - GOVERNANCE_DELAY (optional, default 172800): the timelock's minimum delay, in seconds.
///      - MIN_STAKE, MIN_BOUNTY, MIN_COLLATERAL (optional, defaults 100e18, 1e18, 10e18): base units.
///      - UNBONDING_DELAY (optional, default 604800): seconds.
///      - PROTOCOL_FEE_BPS (optional, default 500): protocol fee in basis points.
///      - EMISSION_PER_EPOCH (optional, default 0): base units per epoch (fund with `fundEmissions`).
contract Deploy is Script {
    /// @notice Addresses of one deployment.
    struct Deployment {
        IERC20 token;
        ModelRegistry registry;
        IMlproofMarket market;
        MlproofTimelock timelock;
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
        uint256 feeBps = vm.envOr("PROTOCOL_FEE_BPS", uint256(p.protocolFeeBps));
        require(feeBps <= type(uint16).max, "PROTOCOL_FEE_BPS does not fit uint16");
        // forge-lint: disable-next-line(unsafe-typecast)
        p.protocolFeeBps = uint16(feeBps);
        uint256 adminDelay = vm.envOr("ADMIN_DELAY", uint256(1 days));
        require(adminDelay <= type(uint48).max, "ADMIN_DELAY does not fit uint48");

        vm.startBroadcast(privateKey);
        d = deploy(
            deployer,
            IERC20(vm.envOr("TOKEN", address(0))),
            vm.envOr("EPOCH_LENGTH", uint256(1 days)),
            // forge-lint: disable-next-line(unsafe-typecast)
            uint48(adminDelay),
            p,
            vm.envOr("EMISSION_PER_EPOCH", uint256(0)),
            vm.envOr("GOVERNANCE_DELAY", uint256(2 days))
        );
        vm.stopBroadcast();

        console2.log("token        ", address(d.token));
        console2.log("ModelRegistry", address(d.registry));
        console2.log("MlproofMarket", address(d.market));
        console2.log("Timelock     ", address(d.timelock));
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
            slashBurnBps: 2_000,
            protocolFeeBps: 500
        });
    }

    /// @notice Deploys (a token if `token` is zero), the registry, the timelock and the market, and hands the
    ///         market's admin and treasury roles and its treasury account to the timelock; `deployer` keeps the
    ///         pauser role and is the timelock's proposer and executor.
    function deploy(
        address deployer,
        IERC20 token,
        uint256 epochLength,
        uint48 adminDelay,
        IMarketGovernance.Params memory p,
        uint256 emissionPerEpoch,
        uint256 governanceDelay
    ) public returns (Deployment memory d) {
        d.token = address(token) == address(0) ? IERC20(address(new MlproofToken(deployer))) : token;
        d.registry = new ModelRegistry(deployer, adminDelay);
        d.timelock = new MlproofTimelock(governanceDelay, deployer);
        d.market = IMlproofMarket(address(new MlproofMarket(d.token, d.registry, epochLength, deployer, p, emissionPerEpoch)));
        address timelock = address(d.timelock);
        d.market.grantRole(d.market.DEFAULT_ADMIN_ROLE(), timelock);
        d.market.grantRole(d.market.TREASURY_ROLE(), timelock);
        d.market.setTreasury(timelock);
        d.market.renounceRole(d.market.TREASURY_ROLE(), deployer);
        d.market.renounceRole(d.market.DEFAULT_ADMIN_ROLE(), deployer);
    }

    function _amount(string memory name, uint96 fallbackValue) private view returns (uint96) {
        uint256 v = vm.envOr(name, uint256(fallbackValue));
        require(v <= type(uint96).max, "amount does not fit uint96");
        // forge-lint: disable-next-line(unsafe-typecast)
        return uint96(v);
    }
}
