//! Hostile local clients for the servers' tests, against 127.0.0.1 and the user's own socket
//! only, bounded in connections and time.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// GET /profile/NAME with the token, within `budget` (botocore's is 2 s): status and body.
pub fn get(addr: &str, profile: &str, token: &str, budget: Duration) -> Result<(u16, String), String> {
    let sock = addr.parse().unwrap();
    let mut s = TcpStream::connect_timeout(&sock, budget).map_err(|e| format!("connect: {e}"))?;
    s.set_read_timeout(Some(budget)).unwrap();
    write!(s, "GET /profile/{profile} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: {token}\r\nConnection: close\r\n\r\n")
        .map_err(|e| format!("write: {e}"))?;
    let mut out = String::new();
    s.read_to_string(&mut out).map_err(|e| format!("read: {e}"))?;
    let status = out.get(9..12).and_then(|c| c.parse().ok()).ok_or_else(|| format!("no status in {out:?}"))?;
    Ok((status, out.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default()))
}

pub fn code_of(body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v["Code"].as_str().map(str::to_string))
        .unwrap_or_default()
}

/// Raise this test process's own descriptor limit: the attacker needs more than 1,024.
pub fn raise_own_limit() {
    let mut l = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit/setrlimit only touch the struct.
    unsafe {
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut l);
        l.rlim_cur = l.rlim_max;
        libc::setrlimit(libc::RLIMIT_NOFILE, &l);
    }
}

/// CPU seconds (user + system) a process has used.
pub fn cpu_secs(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let fields: Vec<&str> = stat.rsplit_once(')').unwrap().1.split_whitespace().collect();
    let ticks: f64 = fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap();
    // SAFETY: sysconf has no preconditions.
    ticks / unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64
}

/// 1,100 connections to `addr` that each send part of a request head and then a header line a
/// second, reconnecting when closed, for `secs`; bounded in connections and reconnections.
pub fn slowloris(addr: &str, secs: u64) -> std::thread::JoinHandle<usize> {
    let sock: std::net::SocketAddr = addr.parse().unwrap();
    std::thread::spawn(move || {
        let open = |_| {
            let mut s = TcpStream::connect_timeout(&sock, Duration::from_millis(300)).ok()?;
            s.set_write_timeout(Some(Duration::from_millis(50))).ok()?;
            s.write_all(b"GET /profile/r5 HTTP/1.1\r\nHost: x\r\n").ok()?;
            Some(s)
        };
        let mut conns: Vec<Option<TcpStream>> = (0..1100).map(open).collect();
        let (end, mut opened) = (Instant::now() + Duration::from_secs(secs), conns.len());
        while Instant::now() < end {
            std::thread::sleep(Duration::from_secs(1));
            for c in conns.iter_mut() {
                let alive = c.as_mut().is_some_and(|s| s.write_all(b"X-a: b\r\n").is_ok());
                if !alive && opened < 20_000 {
                    *c = open(0);
                    opened += 1;
                }
            }
        }
        opened
    })
}

/// `n` connections to a Unix socket that never send a byte, held until dropped (connects that
/// would block, the listener's backlog being full, are skipped).
pub fn unix_flood(path: &std::path::Path, n: usize) -> Vec<std::os::unix::net::UnixStream> {
    use std::os::fd::FromRawFd;
    use std::os::unix::ffi::OsStrExt;
    let mut addr: libc::sockaddr_un = unsafe { std::mem::zeroed() };
    addr.sun_family = libc::AF_UNIX as libc::sa_family_t;
    for (d, b) in addr.sun_path.iter_mut().zip(path.as_os_str().as_bytes()) {
        *d = *b as libc::c_char;
    }
    let mut held = Vec::new();
    for _ in 0..n {
        // SAFETY: a fresh socket, connected with an address we built; the fd is owned below.
        unsafe {
            let fd = libc::socket(libc::AF_UNIX, libc::SOCK_STREAM | libc::SOCK_NONBLOCK, 0);
            if fd < 0 {
                break;
            }
            let len = std::mem::size_of::<libc::sockaddr_un>() as libc::socklen_t;
            let s = std::os::unix::net::UnixStream::from_raw_fd(fd);
            if libc::connect(fd, (&raw const addr).cast(), len) == 0 {
                held.push(s);
            }
        }
    }
    held
}
