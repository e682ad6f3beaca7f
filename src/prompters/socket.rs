//! The running dashboard answers MFA prompts for other mfatui processes over a Unix socket.
//!
//! The socket lives in a 0700 directory (`$XDG_RUNTIME_DIR/mfatui/`, else mfatui's state
//! directory), is 0600, and the server also checks each peer's uid (SO_PEERCRED), not just the
//! file mode. The code never crosses the socket: the client asks "please sign USER in", the
//! dashboard shows its modal, signs the user in itself, and answers "signed in"; the client then
//! reads the MFA session from the store. A lock file held by the serving dashboard tells a
//! second dashboard not to take over, and tells a new one that a leftover socket is stale.
//!
//! One JSON object per line each way:
//! `{"user":"alice","serial":"arn:…","profile":"prod-admin","retry_reason":null}` →
//! `{"result":"signed_in"}` | `{"result":"refused","message":"…"}` | `{"result":"error","message":"…"}`.

use crate::aws::prompt::{PromptAnswer, PromptError, PromptFuture, PromptRequest, Prompter, SignInLock};
use crate::aws::userfile::{open_lock_file, try_lock};
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::{mpsc, oneshot};

/// How long a client waits for the person at the dashboard.
pub const ANSWER_WAIT: Duration = Duration::from_secs(300);

/// Where the dashboard of this state directory listens.
pub fn socket_path(state_dir: &Path) -> PathBuf {
    socket_path_in(std::env::var_os("XDG_RUNTIME_DIR").map(PathBuf::from).as_deref(), state_dir)
}

/// `socket_path` with `runtime_dir` as `XDG_RUNTIME_DIR`.
pub fn socket_path_in(runtime_dir: Option<&Path>, state_dir: &Path) -> PathBuf {
    match runtime_dir.map(Path::to_path_buf).filter(|p| p.is_absolute() && p.is_dir()) {
        // One runtime directory serves every HOME and config of the user: tell them apart.
        Some(run) => {
            let key = state_dir
                .to_string_lossy()
                .bytes()
                .fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
            run.join("mfatui").join(format!("dashboard-{key:016x}.sock"))
        }
        None => state_dir.join("dashboard.sock"),
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
enum Reply {
    SignedIn,
    Refused { message: String },
    Error { message: String },
}

/// Asks the dashboard of a state directory, if one is running.
pub struct DashboardPrompter {
    socket: PathBuf,
    wait: Duration,
}

impl DashboardPrompter {
    pub fn new(state_dir: &Path) -> Self {
        Self { socket: socket_path(state_dir), wait: ANSWER_WAIT }
    }
}

impl Prompter for DashboardPrompter {
    fn ask<'a>(&'a self, req: &'a PromptRequest, lock: &'a mut SignInLock) -> PromptFuture<'a> {
        Box::pin(async move {
            let unavailable = || PromptError::Unavailable("no mfatui dashboard is running".into());
            // Nothing is sent (not even which user and role) before we know the listener is us.
            let dir = self.socket.parent().unwrap_or(Path::new("."));
            if std::fs::symlink_metadata(&self.socket).is_err() {
                return Err(unavailable());
            }
            match private_to_me(dir) {
                Ok(true) => {}
                Ok(false) => return Err(unavailable()),
                Err(why) => return Err(PromptError::Failed(why)),
            }
            let stream = match tokio::time::timeout(Duration::from_secs(1), UnixStream::connect(&self.socket)).await {
                Ok(Ok(s)) => s,
                _ => return Err(unavailable()),
            };
            let peer = stream.peer_cred().map(|c| c.uid()).ok();
            if peer != Some(my_uid()) {
                let who = peer.map_or_else(|| "an unknown user".to_string(), |u| format!("uid {u}"));
                return Err(PromptError::Failed(format!(
                    "refusing to ask through {}: it is served by {who}, not by you (uid {}), so it is not your mfatui dashboard; nothing was sent. Close whatever listens there (or remove {}) and open mfatui again",
                    self.socket.display(),
                    my_uid(),
                    dir.display()
                )));
            }
            // The dashboard signs the user in itself, which needs this lock.
            lock.release();
            let (read, mut write) = stream.into_split();
            let mut line = serde_json::to_string(req).expect("plain data");
            line.push('\n');
            write.write_all(line.as_bytes()).await.map_err(|_| unavailable())?;
            let mut answer = String::new();
            let mut reader = BufReader::new(read);
            match tokio::time::timeout(self.wait, reader.read_line(&mut answer)).await {
                Err(_) => {
                    return Err(PromptError::Failed(format!(
                        "nobody answered the MFA prompt for {} in the mfatui dashboard within {} minutes",
                        req.user,
                        self.wait.as_secs() / 60
                    )));
                }
                Ok(Err(e)) => return Err(PromptError::Failed(format!("the mfatui dashboard stopped answering: {e}"))),
                Ok(Ok(0)) => return Err(PromptError::Failed("the mfatui dashboard closed while asking".into())),
                Ok(Ok(_)) => {}
            }
            match serde_json::from_str::<Reply>(answer.trim()) {
                Ok(Reply::SignedIn) => Ok(PromptAnswer::SignedIn),
                Ok(Reply::Refused { .. }) => {
                    Err(PromptError::Refused { user: req.user.clone(), place: "in the dashboard".into() })
                }
                Ok(Reply::Error { message }) => Err(PromptError::Failed(message)),
                Err(_) => Err(PromptError::Failed(
                    "the mfatui dashboard gave an answer this mfatui does not understand (different versions?)".into(),
                )),
            }
        })
    }
}

fn my_uid() -> u32 {
    // SAFETY: getuid has no preconditions.
    unsafe { libc::getuid() }
}

/// Whether the socket's directory is ours alone: it exists (else no dashboard runs), is a real
/// directory owned by us, and nobody else may enter it. Another user who made it first (a shared
/// `XDG_RUNTIME_DIR`) could be listening in it.
fn private_to_me(dir: &Path) -> Result<bool, String> {
    use std::os::unix::fs::MetadataExt;
    let m = match std::fs::symlink_metadata(dir) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(format!("cannot check {}: {e}", dir.display())),
    };
    let refuse = |why: String| {
        Err(format!(
            "refusing to ask the mfatui dashboard through {}: {why}, so another user could be listening there; nothing was sent. Remove it (or set XDG_RUNTIME_DIR to a directory of your own) and open mfatui again",
            dir.display()
        ))
    };
    if !m.file_type().is_dir() {
        return refuse("it is not a directory".into());
    }
    if m.uid() != my_uid() {
        return refuse(format!("it belongs to uid {}, not to you (uid {})", m.uid(), my_uid()));
    }
    if m.mode() & 0o077 != 0 {
        return refuse(format!("its mode is {:o}, not 700", m.mode() & 0o777));
    }
    Ok(true)
}

/// A question from another process, for the dashboard's modal.
#[derive(Debug)]
pub struct RemoteAsk {
    pub user: String,
    pub serial: String,
    pub profile: String,
    /// Who is asking: `aws (pid 4242)`.
    pub requester: String,
    pub reply: oneshot::Sender<RemoteAnswer>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RemoteAnswer {
    SignedIn,
    Refused,
    Error(String),
}

/// The dashboard's end: a listening socket and the lock that says it is ours.
pub struct Server {
    listener: UnixListener,
    file: SocketFile,
    _lock: File,
}

/// Removes the socket file when the server goes.
struct SocketFile(PathBuf);

impl Drop for SocketFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("another mfatui dashboard already answers MFA prompts for this configuration")]
    Taken,
    #[error("cannot listen on {}: {cause}", path.display())]
    Io { path: PathBuf, cause: std::io::Error },
}

impl Server {
    pub fn bind(state_dir: &Path) -> Result<Self, ServeError> {
        let path = socket_path(state_dir);
        let io = |cause| ServeError::Io { path: path.clone(), cause };
        let dir = path.parent().unwrap_or(Path::new("."));
        crate::aws::userfile::private_dir(dir).map_err(|e| io(std::io::Error::other(e.to_string())))?;
        // Clients refuse a directory others may enter; ours, made wider by hand, is narrowed.
        // One that another user made first is theirs to listen in: refuse it.
        {
            use std::os::unix::fs::MetadataExt;
            let m = std::fs::symlink_metadata(dir).map_err(io)?;
            if !m.is_dir() || m.uid() != my_uid() {
                return Err(io(std::io::Error::other(format!(
                    "it is not a directory of yours (owner uid {}): another user may have made it; remove it or set XDG_RUNTIME_DIR to a directory of your own",
                    m.uid()
                ))));
            }
            if m.mode() & 0o077 != 0 {
                std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(io)?;
            }
        }
        let lock_path = path.with_extension("lock");
        let lock = open_lock_file(&lock_path).map_err(io)?;
        if !try_lock(&lock).map_err(io)? {
            return Err(ServeError::Taken);
        }
        // We hold the lock, so a socket file here is a crashed dashboard's: replace it.
        let _ = std::fs::remove_file(&path);
        let listener = UnixListener::bind(&path).map_err(io)?;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).map_err(io)?;
        Ok(Self { listener, file: SocketFile(path.clone()), _lock: lock })
    }

    pub fn path(&self) -> &Path {
        &self.file.0
    }

    /// Accept clients until `asks` closes; each question goes to the dashboard's loop.
    pub async fn serve(self, asks: mpsc::UnboundedSender<RemoteAsk>) {
        use crate::aws::loopback::conns::{self, Registry};
        let me = my_uid();
        let closed = asks.clone();
        let stop = async move { closed.closed().await };
        let registry = Registry::new(conns::connection_cap());
        let Server { listener, file, _lock } = self;
        conns::accept_loop(listener, registry, stop, move |stream, admitted| {
            let Ok(cred) = stream.peer_cred() else { return };
            if cred.uid() != me {
                tracing::warn!(uid = cred.uid(), "refused a prompt request from another user");
                return;
            }
            let requester = cred.pid().map_or_else(|| "a program".to_string(), |pid| requester(pid as u32));
            let asks = asks.clone();
            tokio::spawn(async move {
                tokio::select! {
                    _ = handle(stream, requester, asks, &admitted.slot) => {}
                    _ = admitted.slot.ended() => {}
                }
            });
        })
        .await;
        drop((file, _lock));
    }
}

async fn handle(
    stream: UnixStream,
    requester: String,
    asks: mpsc::UnboundedSender<RemoteAsk>,
    slot: &std::sync::Arc<crate::aws::loopback::conns::Slot>,
) {
    let (read, mut write) = stream.into_split();
    let mut line = String::new();
    let mut reader = BufReader::new(read).take(16 * 1024);
    // The slot's head deadline bounds this read; waiting for the person is not idling.
    if reader.read_line(&mut line).await.is_err() {
        return;
    }
    let _busy = slot.busy();
    let reply = match serde_json::from_str::<PromptRequest>(line.trim()) {
        Err(_) => Reply::Error { message: "the dashboard could not read the request".into() },
        Ok(req) => {
            let (tx, rx) = oneshot::channel();
            let ask = RemoteAsk { user: req.user, serial: req.serial, profile: req.profile, requester, reply: tx };
            if asks.send(ask).is_err() {
                Reply::Error { message: "the mfatui dashboard is closing".into() }
            } else {
                match rx.await {
                    Ok(RemoteAnswer::SignedIn) => Reply::SignedIn,
                    Ok(RemoteAnswer::Refused) => Reply::Refused { message: "refused in the dashboard".into() },
                    Ok(RemoteAnswer::Error(message)) => Reply::Error { message },
                    Err(_) => Reply::Error { message: "the mfatui dashboard closed before answering".into() },
                }
            }
        }
    };
    let mut out = serde_json::to_string(&reply).expect("plain data");
    out.push('\n');
    let _ = write.write_all(out.as_bytes()).await;
}

/// `aws (pid 4242)`: the program that ran the mfatui process on the other end of the socket.
fn requester(peer: u32) -> String {
    let stat = std::fs::read_to_string(format!("/proc/{peer}/stat")).unwrap_or_default();
    // The command name is in parentheses and may hold spaces; the parent pid follows it.
    let ppid =
        stat.rsplit_once(')').and_then(|(_, rest)| rest.split_whitespace().nth(1)).and_then(|p| p.parse::<u32>().ok());
    let name = |pid: u32| std::fs::read_to_string(format!("/proc/{pid}/comm")).ok().map(|c| c.trim().to_string());
    match ppid.and_then(|p| Some((p, name(p)?))) {
        // A shell that exec'd nothing else: the mfatui helper itself is the better name.
        Some((p, n)) if p > 1 => format!("{n} (pid {p})"),
        _ => name(peer).map_or_else(|| format!("pid {peer}"), |n| format!("{n} (pid {peer})")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_question_goes_to_the_dashboard_and_the_answer_comes_back() {
        let dir = tempfile::tempdir().unwrap();
        // SAFETY: no other test in this binary reads XDG_RUNTIME_DIR concurrently.
        unsafe { std::env::remove_var("XDG_RUNTIME_DIR") };
        let server = Server::bind(dir.path()).unwrap();
        assert!(matches!(Server::bind(dir.path()), Err(ServeError::Taken)), "one dashboard per configuration");
        let mode = std::fs::metadata(server.path()).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let (tx, mut rx) = mpsc::unbounded_channel();
        tokio::spawn(server.serve(tx));
        let answers = tokio::spawn(async move {
            let first = rx.recv().await.unwrap();
            assert_eq!((first.user.as_str(), first.profile.as_str()), ("alice", "prod"));
            assert!(first.requester.contains("pid"), "{}", first.requester);
            first.reply.send(RemoteAnswer::SignedIn).unwrap();
            let second = rx.recv().await.unwrap();
            second.reply.send(RemoteAnswer::Refused).unwrap();
        });
        let client = DashboardPrompter::new(dir.path());
        let req =
            PromptRequest { user: "alice".into(), serial: "s".into(), profile: "prod".into(), retry_reason: None };
        let dir_locks = tempfile::tempdir().unwrap();
        let mut lock = SignInLock::acquire(dir_locks.path(), "alice", Duration::from_secs(1)).await.unwrap();
        let answer = client.ask(&req, &mut lock).await;
        assert!(matches!(answer, Ok(PromptAnswer::SignedIn)), "{:?}", answer.err());
        assert!(!lock.is_held(), "the lock is released while the dashboard signs in");
        let e = client.ask(&req, &mut lock).await.unwrap_err();
        assert_eq!(e.to_string(), "the MFA prompt for alice was refused in the dashboard");
        answers.await.unwrap();
    }

    #[tokio::test]
    async fn no_dashboard_is_unavailable_at_once_and_a_stale_socket_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
        unsafe { std::env::remove_var("XDG_RUNTIME_DIR") };
        // A crashed dashboard's socket file, with nobody listening.
        drop(std::os::unix::net::UnixListener::bind(dir.path().join("dashboard.sock")).unwrap());
        let client = DashboardPrompter::new(dir.path());
        let req = PromptRequest { user: "a".into(), serial: "s".into(), profile: "a".into(), retry_reason: None };
        let started = std::time::Instant::now();
        let e = client.ask(&req, &mut SignInLock::none()).await.unwrap_err();
        assert!(matches!(e, PromptError::Unavailable(_)) && started.elapsed() < Duration::from_secs(1), "{e}");
        assert!(Server::bind(dir.path()).is_ok(), "the stale socket is replaced");
    }
}
