//! What keeps mfatui's local servers (the credentials endpoint, the sandbox, the dashboard's
//! prompt socket) up for their real clients when another local user opens connections and never
//! finishes a request: a deadline for a request's head, one for an idle keep-alive connection, a
//! cap on connections held (the oldest waiting one makes room for a newcomer), and an accept loop
//! that backs off when the process is out of descriptors instead of retrying at once.

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::Notify;
use tokio::time::Instant;

/// A request's head must arrive this soon after the connection opens or its first byte (a real
/// client sends it at once; a slowloris drips it).
pub const HEAD_WITHIN: Duration = Duration::from_secs(5);
/// A keep-alive connection with no request is closed after this.
pub const IDLE_WITHIN: Duration = Duration::from_secs(30);
/// Connections one server holds at most, whatever the descriptor limit allows.
pub const MAX_CONNECTIONS: usize = 256;
/// A connection younger than this is not closed to make room: a real client's request is in
/// the socket before we accept it, so its head is read within a millisecond or two; the wait
/// bounds how fast an attacker's reconnections can make us accept. Longer, and the kernel's
/// accept queue fills behind us: a real client's SYN is dropped and it waits a second.
const EVICT_AFTER: Duration = Duration::from_millis(10);

#[derive(Debug, Clone, Copy)]
enum Phase {
    /// Waiting for a request's head since then.
    Head(Instant),
    /// Requests being answered.
    Busy(u32),
    /// Keep-alive, no request, since then.
    Idle(Instant),
}

/// One connection's state, shared by its I/O, its service and the registry.
pub struct Slot {
    phase: Mutex<Phase>,
    kill: Notify,
    head_within: Duration,
    idle_within: Duration,
}

impl Slot {
    fn new(head_within: Duration, idle_within: Duration) -> Self {
        Self { phase: Mutex::new(Phase::Head(Instant::now())), kill: Notify::new(), head_within, idle_within }
    }

    fn set(&self, f: impl FnOnce(Phase) -> Phase) {
        let mut p = self.phase.lock().expect("slot lock");
        *p = f(*p);
    }

    /// A request is being answered: no deadline applies (the handler bounds itself). The guard
    /// ends it, however the handler's future ends.
    pub fn busy(self: &Arc<Self>) -> BusyGuard {
        self.set(|p| match p {
            Phase::Busy(n) => Phase::Busy(n + 1),
            _ => Phase::Busy(1),
        });
        BusyGuard(self.clone())
    }

    fn bytes_in(&self) {
        self.set(|p| match p {
            Phase::Idle(_) => Phase::Head(Instant::now()),
            p => p,
        });
    }

    /// When this connection started waiting for a client that sends nothing useful.
    fn waiting_since(&self) -> Option<Instant> {
        match *self.phase.lock().expect("slot lock") {
            Phase::Head(t) | Phase::Idle(t) => Some(t),
            Phase::Busy(_) => None,
        }
    }

    /// Resolves when the connection must close: a deadline passed, or it was evicted.
    pub async fn ended(&self) {
        let deadlines = async {
            loop {
                let due = match *self.phase.lock().expect("slot lock") {
                    Phase::Head(t) => Some(t + self.head_within),
                    Phase::Idle(t) => Some(t + self.idle_within),
                    Phase::Busy(_) => None,
                };
                let now = Instant::now();
                match due {
                    Some(d) if d <= now => return,
                    // Re-read at least every second: bytes arriving on an idle connection
                    // bring its deadline forward.
                    Some(d) => tokio::time::sleep((d - now).min(Duration::from_secs(1))).await,
                    None => tokio::time::sleep(Duration::from_secs(1)).await,
                }
            }
        };
        tokio::select! {
            _ = deadlines => {}
            _ = self.kill.notified() => {}
        }
    }
}

pub struct BusyGuard(Arc<Slot>);

impl Drop for BusyGuard {
    fn drop(&mut self) {
        self.0.set(|p| match p {
            Phase::Busy(n) if n > 1 => Phase::Busy(n - 1),
            _ => Phase::Idle(Instant::now()),
        });
    }
}

/// The connections one server holds.
pub struct Registry {
    cap: usize,
    head_within: Duration,
    idle_within: Duration,
    slots: Mutex<HashMap<u64, Arc<Slot>>>,
    next: AtomicU64,
    freed: Notify,
}

/// A connection's place in the registry; dropping it frees the place.
pub struct Admitted {
    registry: Arc<Registry>,
    id: u64,
    pub slot: Arc<Slot>,
}

impl Drop for Admitted {
    fn drop(&mut self) {
        self.registry.slots.lock().expect("registry lock").remove(&self.id);
        self.registry.freed.notify_one();
    }
}

impl Registry {
    pub fn new(cap: usize) -> Arc<Self> {
        Self::with_deadlines(cap, HEAD_WITHIN, IDLE_WITHIN)
    }

    pub fn with_deadlines(cap: usize, head_within: Duration, idle_within: Duration) -> Arc<Self> {
        Arc::new(Self {
            cap: cap.max(1),
            head_within,
            idle_within,
            slots: Mutex::default(),
            next: AtomicU64::new(0),
            freed: Notify::new(),
        })
    }

    pub fn len(&self) -> usize {
        self.slots.lock().expect("registry lock").len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn admit(self: &Arc<Self>) -> Admitted {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let slot = Arc::new(Slot::new(self.head_within, self.idle_within));
        self.slots.lock().expect("registry lock").insert(id, slot.clone());
        Admitted { registry: self.clone(), id, slot }
    }

    /// Close the connection that has waited longest without a request, if it waited at least
    /// `min_age`. It leaves the count at once; its task closes the socket.
    fn evict_oldest_idle(&self, min_age: Duration) -> bool {
        let mut slots = self.slots.lock().expect("registry lock");
        let now = Instant::now();
        let oldest = slots
            .iter()
            .filter_map(|(id, s)| Some((*id, s.waiting_since()?)))
            .filter(|(_, since)| now.saturating_duration_since(*since) >= min_age)
            .min_by_key(|(_, since)| *since);
        let Some((id, _)) = oldest else { return false };
        if let Some(s) = slots.remove(&id) {
            s.kill.notify_one();
        }
        true
    }

    /// Wait until one more connection fits: close the oldest idle one, or wait for a busy one
    /// to end (busy ones are bounded by their handlers).
    async fn make_room(&self) {
        loop {
            if self.len() < self.cap || self.evict_oldest_idle(EVICT_AFTER) {
                return;
            }
            tokio::select! {
                _ = self.freed.notified() => {}
                _ = tokio::time::sleep(EVICT_AFTER) => {}
            }
        }
    }
}

/// Descriptors left to the rest of mfatui (lock files, the store, STS connections, children)
/// are what the servers' caps do not take: each server holds at most a quarter of the limit.
pub fn connection_cap() -> usize {
    (soft_fd_limit() / 4).clamp(16, MAX_CONNECTIONS)
}

fn soft_fd_limit() -> usize {
    let mut lim = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit writes into the struct we pass and nothing else.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } != 0 {
        return 1024;
    }
    usize::try_from(lim.rlim_cur).unwrap_or(usize::MAX)
}

/// Raise the soft descriptor limit to the hard one (a server process's clients must not be able
/// to run it out of descriptors at the distribution's default of 1024). Returns the limit as it
/// was, for children, which should not inherit the raised one (select()-based programs break
/// on descriptors above 1023).
pub fn raise_fd_limit() -> Option<libc::rlimit> {
    let mut lim = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit/setrlimit read or write only the struct we pass.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return None;
        }
        let before = lim;
        let mut raised = lim;
        raised.rlim_cur = lim.rlim_max;
        // macOS refuses an unlimited soft limit; its real ceiling is OPEN_MAX.
        if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) != 0 {
            raised.rlim_cur = 10_240.min(lim.rlim_max);
            let _ = libc::setrlimit(libc::RLIMIT_NOFILE, &raised);
        }
        Some(before)
    }
}

/// Something that hands out connections.
pub trait Listener: Send + Sync + 'static {
    type Conn: Send + 'static;
    fn accept(&self) -> impl Future<Output = io::Result<Self::Conn>> + Send;
}

impl Listener for tokio::net::TcpListener {
    type Conn = tokio::net::TcpStream;
    async fn accept(&self) -> io::Result<Self::Conn> {
        let (s, _) = tokio::net::TcpListener::accept(self).await?;
        let _ = s.set_nodelay(true);
        Ok(s)
    }
}

impl Listener for tokio::net::UnixListener {
    type Conn = tokio::net::UnixStream;
    async fn accept(&self) -> io::Result<Self::Conn> {
        Ok(tokio::net::UnixListener::accept(self).await?.0)
    }
}

/// Doubles from 5 ms to half a second.
#[derive(Default)]
struct Backoff(u32);

impl Backoff {
    fn next(&mut self) -> Duration {
        let d = Duration::from_millis(5u64 << self.0.min(7)).min(Duration::from_millis(500));
        self.0 = self.0.saturating_add(1);
        d
    }
}

/// Accept connections until `stop` resolves, handing each to `serve` with its registry place.
pub async fn accept_loop<L: Listener>(
    listener: L,
    registry: Arc<Registry>,
    stop: impl Future<Output = ()>,
    mut serve: impl FnMut(L::Conn, Admitted),
) {
    tokio::pin!(stop);
    let mut backoff = Backoff::default();
    let mut warned = false;
    loop {
        tokio::select! {
            _ = &mut stop => return,
            _ = registry.make_room() => {}
        }
        let accepted = tokio::select! {
            _ = &mut stop => return,
            a = listener.accept() => a,
        };
        match accepted {
            Ok(conn) => {
                backoff = Backoff::default();
                serve(conn, registry.admit());
            }
            Err(e) => {
                // Out of descriptors (EMFILE, ENFILE) or memory: accept fails again at once until
                // something closes, so retrying at once spins a core. Free one, then wait.
                if !warned {
                    tracing::warn!(error = %e, connections = registry.len(), "accept failed; backing off");
                    warned = true;
                }
                registry.evict_oldest_idle(Duration::ZERO);
                tokio::select! {
                    _ = &mut stop => return,
                    _ = tokio::time::sleep(backoff.next()) => {}
                }
            }
        }
    }
}

/// A connection's I/O that tells its slot when bytes arrive (an idle keep-alive connection
/// that starts a request gets the head deadline).
pub struct Watched<T> {
    inner: T,
    slot: Arc<Slot>,
}

impl<T> Watched<T> {
    pub fn new(inner: T, slot: Arc<Slot>) -> Self {
        Self { inner, slot }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Watched<T> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.slot.bytes_in();
        }
        r
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Watched<T> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
#[path = "conns_tests.rs"]
mod tests;
