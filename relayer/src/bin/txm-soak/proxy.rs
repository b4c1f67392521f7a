//! A TCP proxy in front of anvil: the sender talks to the chain only through it, and an RPC outage
//! is the proxy going down (its listener closed, its open connections cut) while the chain goes on.
//!
//! Why not stop anvil itself: anvil 1.7.1 restarted from `--state`/`--load-state` keeps its blocks
//! but reports every receipt mined before the restart with status 0, which no real node does; a
//! sender must not be judged on that (`docs/relayer.md`).

use std::net::SocketAddr;

use tokio::{
    io::copy_bidirectional,
    net::{TcpListener, TcpStream},
    sync::watch,
    task::JoinSet,
};

/// A running proxy; `set_up(false)` takes the RPC down, `set_up(true)` brings it back.
pub struct Proxy {
    up: watch::Sender<bool>,
    /// Where the sender connects.
    pub addr: SocketAddr,
}

impl Proxy {
    /// Listens on a free loopback port and forwards every connection to `target`.
    pub async fn start(target: SocketAddr) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (up, rx) = watch::channel(true);
        tokio::spawn(serve(listener, addr, target, rx));
        Ok(Self { up, addr })
    }

    /// Takes the RPC down or brings it back.
    pub fn set_up(&self, up: bool) {
        let _ = self.up.send(up);
    }
}

async fn serve(first: TcpListener, addr: SocketAddr, target: SocketAddr, mut up: watch::Receiver<bool>) {
    let mut listener = Some(first);
    loop {
        if !*up.borrow_and_update() {
            if up.changed().await.is_err() {
                return;
            }
            continue;
        }
        let l = match listener.take() {
            Some(l) => l,
            None => match TcpListener::bind(addr).await {
                Ok(l) => l,
                Err(e) => {
                    tracing::warn!(error = %e, "proxy cannot listen again yet");
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                    continue;
                }
            },
        };
        let mut conns = JoinSet::new();
        loop {
            tokio::select! {
                accepted = l.accept() => {
                    if let Ok((client, _)) = accepted {
                        conns.spawn(pipe(client, target));
                    }
                }
                changed = up.changed() => {
                    if changed.is_err() || !*up.borrow_and_update() {
                        break;
                    }
                }
            }
        }
        // Down: refuse new connections and cut the open ones mid-request.
        drop(l);
        conns.abort_all();
    }
}

async fn pipe(mut client: TcpStream, target: SocketAddr) {
    if let Ok(mut upstream) = TcpStream::connect(target).await {
        let _ = copy_bidirectional(&mut client, &mut upstream).await;
    }
}
