//! Decoding revert data into the contracts' named custom errors.

use alloy::{
    primitives::Bytes,
    sol_types::{GenericContractError, SolInterface},
};

use crate::bindings::{
    IAccessControl::IAccessControlErrors, IClassifierConsumer::IClassifierConsumerErrors,
    IERC20Errors::IERC20ErrorsErrors, IGroth16Verifier::IGroth16VerifierErrors,
    IMarketGovernance::IMarketGovernanceErrors, IModelRegistry::IModelRegistryErrors,
    IOpenZeppelinErrors::IOpenZeppelinErrorsErrors, IRewards::IRewardsErrors, IStaking::IStakingErrors,
    ITaskMarket::ITaskMarketErrors, ITrainingLedger::ITrainingLedgerErrors,
};

fn try_decode<E: SolInterface + std::fmt::Debug>(data: &[u8]) -> Option<String> {
    E::abi_decode(data).ok().map(|e| strip_enum(&format!("{e:?}")))
}

/// `Variant(Variant { .. })` → `Variant { .. }`.
fn strip_enum(s: &str) -> String {
    match s.split_once('(') {
        Some((_, rest)) if rest.ends_with(')') => rest[..rest.len() - 1].to_owned(),
        _ => s.to_owned(),
    }
}

/// Names the custom error in `data`, trying every mlproof interface, OpenZeppelin's ERC-20 errors,
/// `Error(string)` and `Panic(uint256)`; unknown data is shown as hex with its selector.
#[must_use]
pub fn decode_revert(data: &[u8]) -> String {
    if data.is_empty() {
        return "empty revert data (out of gas, or a require without message)".to_owned();
    }
    try_decode::<ITaskMarketErrors>(data)
        .or_else(|| try_decode::<IRewardsErrors>(data))
        .or_else(|| try_decode::<ITrainingLedgerErrors>(data))
        .or_else(|| try_decode::<IMarketGovernanceErrors>(data))
        .or_else(|| try_decode::<IModelRegistryErrors>(data))
        .or_else(|| try_decode::<IStakingErrors>(data))
        .or_else(|| try_decode::<IGroth16VerifierErrors>(data))
        .or_else(|| try_decode::<IClassifierConsumerErrors>(data))
        .or_else(|| try_decode::<IERC20ErrorsErrors>(data))
        .or_else(|| try_decode::<IAccessControlErrors>(data))
        .or_else(|| try_decode::<IOpenZeppelinErrorsErrors>(data))
        .or_else(|| GenericContractError::abi_decode(data).ok().map(|e| format!("{e:?}")))
        .unwrap_or_else(|| {
            format!(
                "unknown custom error 0x{} (data {})",
                alloy::hex::encode(&data[..data.len().min(4)]),
                Bytes::copy_from_slice(data)
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::{IAccessControl, IMarketGovernance, IStaking, ITaskMarket};
    use alloy::{
        primitives::{Address, B256, U256},
        sol_types::SolError,
    };

    #[test]
    fn decodes_market_error_with_arguments() {
        let e = IStaking::StakingInsufficientFreeStake { free: U256::from(5), need: U256::from(100) };
        let s = decode_revert(&e.abi_encode());
        assert!(s.starts_with("StakingInsufficientFreeStake"), "{s}");
        assert!(s.contains("need: 100"), "{s}");
        let s = decode_revert(&IMarketGovernance::EnforcedPause {}.abi_encode());
        assert!(s.starts_with("EnforcedPause"), "{s}");
    }

    #[test]
    fn decodes_the_cancel_ramp_outbid_pause_and_role_errors() {
        let id = B256::repeat_byte(7);
        let cases: [(Vec<u8>, &str); 6] = [
            (ITaskMarket::TaskMarketCancelling { statementId: id }.abi_encode(), "TaskMarketCancelling"),
            (ITaskMarket::TaskMarketNotCancellable { statementId: id }.abi_encode(), "TaskMarketNotCancellable"),
            (ITaskMarket::TaskMarketInvalidOffer {}.abi_encode(), "TaskMarketInvalidOffer"),
            (
                ITaskMarket::TaskMarketOutbidTooLow { minPrice: U256::from(10), needed: U256::from(11) }.abi_encode(),
                "TaskMarketOutbidTooLow",
            ),
            (
                IMarketGovernance::MarketGovernancePauseNotExpired { liftableAt: U256::from(99) }.abi_encode(),
                "MarketGovernancePauseNotExpired",
            ),
            (
                IAccessControl::AccessControlUnauthorizedAccount { account: Address::ZERO, neededRole: id }
                    .abi_encode(),
                "AccessControlUnauthorizedAccount",
            ),
        ];
        for (data, name) in cases {
            let s = decode_revert(&data);
            assert!(s.starts_with(name), "{name}: {s}");
        }
        assert!(decode_revert(
            &ITaskMarket::TaskMarketOutbidTooLow { minPrice: U256::from(10), needed: U256::from(11) }.abi_encode()
        )
        .contains("needed: 11"));
    }

    #[test]
    fn unknown_and_empty_data_are_described() {
        assert!(decode_revert(&[]).contains("empty"));
        assert!(decode_revert(&[0xde, 0xad, 0xbe, 0xef, 1]).contains("0xdeadbeef"));
    }
}
