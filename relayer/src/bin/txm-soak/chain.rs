//! The soak's chain: one anvil process (automine off) and the fault-injection RPCs it answers.

use std::{borrow::Cow, net::SocketAddr, path::Path, process::Child, time::Duration};

use alloy::{
    primitives::{Address, U256},
    providers::{DynProvider, Provider, ProviderBuilder},
};
use eyre::{Result, WrapErr};
use serde_json::{json, Value};

/// A running anvil, stopped on drop.
pub struct Anvil {
    child: Child,
    /// Its RPC address.
    pub addr: SocketAddr,
    /// A provider straight to it (never through the proxy).
    pub provider: DynProvider,
}

impl Anvil {
    /// Starts anvil on a free port with automine off and waits until it answers.
    pub async fn start(root: &Path) -> Result<Self> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let child = std::process::Command::new(mlproof_relayer::chain::anvil_binary(root))
            .args(["--port", &port.to_string(), "--no-mining", "--silent"])
            .stdout(std::process::Stdio::null())
            .spawn()
            .wrap_err("starting anvil (./scripts/bench installs it from npm)")?;
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let provider = ProviderBuilder::new().connect_http(format!("http://{addr}").parse()?).erased();
        let anvil = Self { child, addr, provider };
        for _ in 0..100 {
            if anvil.provider.get_block_number().await.is_ok() {
                return Ok(anvil);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        eyre::bail!("anvil did not answer on {addr}")
    }

    /// A raw RPC call.
    pub async fn rpc(&self, method: &'static str, params: Value) -> Result<Value> {
        self.provider.raw_request::<_, Value>(Cow::Borrowed(method), params).await.wrap_err(method)
    }

    /// Mines `n` blocks.
    pub async fn mine(&self, n: u64) -> Result<()> {
        self.rpc("anvil_mine", json!([format!("{n:#x}")])).await.map(drop)
    }

    /// The head.
    pub async fn head(&self) -> Result<u64> {
        Ok(self.provider.get_block_number().await?)
    }

    /// The next block's base fee, as the latest block announces it.
    pub async fn base_fee(&self) -> Result<u128> {
        let block = self.provider.get_block_by_number(alloy::eips::BlockNumberOrTag::Latest).await?;
        Ok(block.and_then(|b| b.header.base_fee_per_gas).map_or(1_000_000_000, u128::from))
    }

    /// Balance of `who`.
    pub async fn balance(&self, who: Address) -> Result<U256> {
        Ok(self.provider.get_balance(who).await?)
    }

    /// Latest nonce of `who`.
    pub async fn nonce(&self, who: Address) -> Result<u64> {
        Ok(self.provider.get_transaction_count(who).latest().await?)
    }

    /// Transactions in the pool (pending and queued).
    pub async fn pool_size(&self) -> Result<u64> {
        let status = self.rpc("txpool_status", json!([])).await?;
        let n = |k: &str| status[k].as_str().and_then(|s| u64::from_str_radix(s.trim_start_matches("0x"), 16).ok());
        Ok(n("pending").unwrap_or(0) + n("queued").unwrap_or(0))
    }
}

impl Drop for Anvil {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
