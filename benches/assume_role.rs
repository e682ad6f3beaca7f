//! AssumeRole throughput and latency, sequential and 50-way concurrent, against the mfatui
//! sandbox and against moto: each its own server process on loopback, the same client
//! (mfatui's aws-sdk-sts wrapper) in the same run.
//!
//!     cargo bench --bench assume_role            # needs .venv/bin/moto_server (scripts/test.sh)
//!
//! `cargo test --all-targets` builds this and runs it without `--bench`: it then returns at once.

use mfatui::aws::secret::Secret;
use mfatui::aws::sts::{self, AssumeRole, Keys, Target};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const SEQUENTIAL: usize = 300;
const CONCURRENT: usize = 2000;
const IN_FLIGHT: usize = 50;

struct Server {
    name: &'static str,
    child: Child,
    url: String,
    keys: Keys,
    role_arn: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn sandbox() -> Server {
    let seed = r#"{"users": [{"account": "111111111111", "name": "bench", "access_keys": [{"id": "AKIABENCH00000000001", "secret": "bench-secret"}]}],
                   "roles": [{"account": "222222222222", "name": "bench-role", "trusted": ["arn:aws:iam::111111111111:root"], "max_session_duration": 3600}]}"#;
    let path = std::env::temp_dir().join(format!("mfatui-bench-seed-{}.json", std::process::id()));
    std::fs::write(&path, seed).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_mfatui"))
        .args(["sandbox", "--port", "0", "--seed", path.to_str().unwrap()])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url = line.trim().strip_prefix("listening on ").expect(&line).to_string();
    let keys = Keys {
        access_key_id: "AKIABENCH00000000001".into(),
        secret_access_key: Secret::new("bench-secret"),
        session_token: None,
    };
    Server { name: "mfatui sandbox", child, url, keys, role_arn: "arn:aws:iam::222222222222:role/bench-role".into() }
}

async fn moto() -> Option<Server> {
    let bin = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/moto_server");
    if !bin.exists() {
        eprintln!("moto not installed in .venv (run scripts/test.sh); measuring the sandbox only");
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new(bin)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let url = format!("http://127.0.0.1:{port}");
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // moto needs a user with a key and a role; any credentials may create them.
    let conf = aws_sdk_iam::Config::builder()
        .behavior_version(aws_sdk_iam::config::BehaviorVersion::latest())
        .region(aws_sdk_iam::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_iam::config::Credentials::new("AKIASETUP", "setup", None, None, "bench"))
        .endpoint_url(&url)
        .build();
    let iam = aws_sdk_iam::Client::from_conf(conf);
    iam.create_user().user_name("bench").send().await.unwrap();
    let key = iam.create_access_key().user_name("bench").send().await.unwrap().access_key.unwrap();
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#;
    let role = iam
        .create_role()
        .role_name("bench-role")
        .assume_role_policy_document(trust)
        .send()
        .await
        .unwrap()
        .role
        .unwrap();
    let keys = Keys {
        access_key_id: key.access_key_id,
        secret_access_key: Secret::new(key.secret_access_key),
        session_token: None,
    };
    Some(Server { name: "moto", child, url, keys, role_arn: role.arn })
}

async fn call(target: &Target, s: &Server) -> Duration {
    let started = Instant::now();
    let req =
        AssumeRole { role_arn: &s.role_arn, session_name: "bench", external_id: None, duration_secs: None, mfa: None };
    sts::assume_role(target, &s.keys, &req).await.unwrap();
    started.elapsed()
}

fn pct(sorted: &[Duration], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize].as_secs_f64() * 1000.0
}

struct Figures {
    seq_p50: f64,
    seq_p99: f64,
    seq_rps: f64,
    con_p50: f64,
    con_p99: f64,
    con_rps: f64,
}

async fn measure(s: &Server) -> Figures {
    let target = Target::at("us-east-1", Some(s.url.clone()));
    for _ in 0..20 {
        call(&target, s).await; // warm up connections and caches
    }
    let started = Instant::now();
    let mut seq = Vec::with_capacity(SEQUENTIAL);
    for _ in 0..SEQUENTIAL {
        seq.push(call(&target, s).await);
    }
    let seq_rps = SEQUENTIAL as f64 / started.elapsed().as_secs_f64();
    seq.sort();

    let sem = std::sync::Arc::new(tokio::sync::Semaphore::new(IN_FLIGHT));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..CONCURRENT {
        let permit = sem.clone().acquire_owned().await.unwrap();
        let (target, role, keys) = (target.clone(), s.role_arn.clone(), s.keys.clone());
        tasks.spawn(async move {
            let t0 = Instant::now();
            let req = AssumeRole {
                role_arn: &role,
                session_name: "bench",
                external_id: None,
                duration_secs: None,
                mfa: None,
            };
            sts::assume_role(&target, &keys, &req).await.unwrap();
            drop(permit);
            t0.elapsed()
        });
    }
    let mut con: Vec<Duration> = tasks.join_all().await;
    let con_rps = CONCURRENT as f64 / started.elapsed().as_secs_f64();
    con.sort();
    Figures {
        seq_p50: pct(&seq, 0.5),
        seq_p99: pct(&seq, 0.99),
        seq_rps,
        con_p50: pct(&con, 0.5),
        con_p99: pct(&con, 0.99),
        con_rps,
    }
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("assume_role benchmark: run it with `cargo bench --bench assume_role`");
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let mut servers = vec![sandbox()];
        servers.extend(moto().await);
        println!(
            "AssumeRole via aws-sdk-sts on loopback: {SEQUENTIAL} sequential, {CONCURRENT} with {IN_FLIGHT} in flight"
        );
        println!(
            "{:16} {:>9} {:>9} {:>10} {:>11} {:>11} {:>10}",
            "server", "seq p50", "seq p99", "seq req/s", "conc p50", "conc p99", "conc req/s"
        );
        let mut results = Vec::new();
        for s in &servers {
            let f = measure(s).await;
            println!(
                "{:16} {:>7.2}ms {:>7.2}ms {:>10.0} {:>9.2}ms {:>9.2}ms {:>10.0}",
                s.name, f.seq_p50, f.seq_p99, f.seq_rps, f.con_p50, f.con_p99, f.con_rps
            );
            results.push(f);
        }
        if let [ours, moto] = &results[..] {
            println!(
                "sandbox vs moto: sequential {:.1}x the throughput, concurrent {:.1}x, p50 latency {:.1}x lower",
                ours.seq_rps / moto.seq_rps,
                ours.con_rps / moto.con_rps,
                moto.seq_p50 / ours.seq_p50
            );
        }
    });
}
