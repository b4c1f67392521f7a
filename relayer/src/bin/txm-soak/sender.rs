//! The sending process (`txm-send`) under the soak: started, SIGKILLed and started again on the
//! same database; its JSON lines are read on a thread.

use std::{
    collections::HashMap,
    io::{BufRead, BufReader},
    path::PathBuf,
    process::{Child, Command, ExitStatus, Stdio},
    sync::{Arc, Mutex},
};

use eyre::{Result, WrapErr};

/// What the soak needs to start a sender.
pub struct SenderSpec {
    pub exe: PathBuf,
    pub rpc: String,
    pub db: PathBuf,
    pub key: String,
    pub intents: u64,
    pub confirmations: u64,
    /// Intents the sender keeps in flight at once.
    pub window: u64,
}

/// First sight of each intent's states, shared with the reader threads.
#[derive(Default)]
pub struct Seen {
    /// key → the chain head when the intent was first reported `submitted`.
    pub submitted_at: HashMap<String, u64>,
    /// Whether a sender printed `done`.
    pub done: bool,
}

/// A running sender.
pub struct Sender {
    child: Child,
}

impl Sender {
    /// Starts `txm-send`; `head` gives the chain head to stamp first submissions with.
    pub fn start(spec: &SenderSpec, seen: &Arc<Mutex<Seen>>, head: Arc<std::sync::atomic::AtomicU64>) -> Result<Self> {
        let mut child = Command::new(&spec.exe)
            .args(["--rpc", &spec.rpc, "--db"])
            .arg(&spec.db)
            .args(["--namespace", "soak", "--to", &spec.intents.to_string(), "--window"])
            .arg(spec.window.to_string())
            .args(["--confirmations", &spec.confirmations.to_string(), "--stuck-blocks", "2", "--timeout-s", "900"])
            .env("MLPROOF_TXM_KEY", &spec.key)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .wrap_err_with(|| format!("starting {}", spec.exe.display()))?;
        let out = BufReader::new(child.stdout.take().expect("piped stdout"));
        let seen = Arc::clone(seen);
        std::thread::spawn(move || {
            for line in out.lines().map_while(std::result::Result::ok) {
                let Ok(v) = serde_json::from_str::<serde_json::Value>(&line) else { continue };
                let mut seen = seen.lock().expect("seen lock");
                match (v["event"].as_str(), v["state"].as_str(), v["key"].as_str()) {
                    (Some("state"), Some("submitted"), Some(key)) => {
                        let at = head.load(std::sync::atomic::Ordering::Relaxed);
                        seen.submitted_at.entry(key.to_owned()).or_insert(at);
                    }
                    (Some("done"), ..) => seen.done = true,
                    _ => {}
                }
            }
        });
        Ok(Self { child })
    }

    /// SIGKILL, and reap.
    pub fn kill(mut self) -> Result<()> {
        self.child.kill()?;
        self.child.wait()?;
        Ok(())
    }

    /// The exit status, if it exited.
    pub fn exited(&mut self) -> Result<Option<ExitStatus>> {
        Ok(self.child.try_wait()?)
    }
}

impl Drop for Sender {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
