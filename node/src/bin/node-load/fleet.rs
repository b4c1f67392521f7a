//! The prover nodes under test: `mlproof node` child processes, killed with SIGKILL, stopped with
//! SIGTERM, restarted on the same databases, and watched through their HTTP API.

use std::{
    fs::OpenOptions,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::Duration,
};

use alloy::primitives::Address;
use eyre::{Context, Result};

/// One node process.
pub struct NodeProc {
    /// A name for logs.
    pub name: String,
    /// Its config file.
    pub config: PathBuf,
    /// Its signer (hex), handed over in the environment.
    pub key_hex: String,
    /// Its prover address.
    pub address: Address,
    /// Its API port on 127.0.0.1.
    pub port: u16,
    /// Where its stderr goes (appended across restarts).
    pub log: PathBuf,
    child: Option<Child>,
}

impl NodeProc {
    /// A node not started yet.
    pub const fn new(
        name: String,
        config: PathBuf,
        key_hex: String,
        address: Address,
        port: u16,
        log: PathBuf,
    ) -> Self {
        Self { name, config, key_hex, address, port, log, child: None }
    }

    /// Starts (or restarts) it.
    pub fn spawn(&mut self, mlproof: &Path) -> Result<()> {
        let log = OpenOptions::new().create(true).append(true).open(&self.log)?;
        let child = Command::new(mlproof)
            .args(["node", "--config"])
            .arg(&self.config)
            .env("MLPROOF_PRIVATE_KEY", &self.key_hex)
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .wrap_err_with(|| format!("starting {} ({})", self.name, mlproof.display()))?;
        self.child = Some(child);
        Ok(())
    }

    /// SIGKILL, and reap it.
    pub fn kill(&mut self) -> Result<()> {
        if let Some(mut c) = self.child.take() {
            c.kill()?;
            c.wait()?;
        }
        Ok(())
    }

    /// SIGTERM, then waits up to `grace` for it to exit; true when it exited with status 0.
    pub fn stop(&mut self, grace: Duration) -> Result<bool> {
        let Some(mut c) = self.child.take() else { return Ok(false) };
        Command::new("kill").args(["-TERM", &c.id().to_string()]).status()?;
        let t = std::time::Instant::now();
        while t.elapsed() < grace {
            if let Some(status) = c.try_wait()? {
                return Ok(status.success());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        c.kill()?;
        c.wait()?;
        Ok(false)
    }

    /// Whether the process is still running (false: it died on its own — see its log).
    pub fn alive(&mut self) -> bool {
        self.child.as_mut().is_some_and(|c| matches!(c.try_wait(), Ok(None)))
    }

    async fn get(&self, path: &str) -> Option<serde_json::Value> {
        let url = format!("http://127.0.0.1:{}{path}", self.port);
        let r = alloy::transports::http::reqwest::get(url).await.ok()?;
        r.json().await.ok()
    }

    /// Whether `/health` answers.
    pub async fn healthy(&self) -> bool {
        self.get("/health").await.is_some()
    }

    /// How many of its jobs are in `state` (0 when the API does not answer).
    pub async fn jobs_in(&self, state: &str) -> usize {
        self.get(&format!("/v1/jobs?state={state}&limit=1000"))
            .await
            .and_then(|v| v["jobs"].as_array().map(Vec::len))
            .unwrap_or(0)
    }
}
