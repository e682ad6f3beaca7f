//! Every client gets credentials its own way: credential_process (both export modes, the AWS
//! CLI and boto3, the sandbox and moto), `exec`, `env`, and `serve` (boto3 and aws-sdk-rust).

mod common;
use common::world::{ACCOUNTS, EVE_SERIAL, World, eve_world, world};
use common::{Home, Moto, stderr, stdout, tool};
use std::process::Command;

fn signed_in(export: &str) -> World {
    let (seed, config, credentials) = eve_world();
    let w = world(&seed, &config, &credentials);
    let code = w.sandbox.totp_code(EVE_SERIAL).unwrap();
    let o = w.mfatui(&["login", "eve", "--code", &code, "--export", export], &[]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    w
}

fn arn_of(i: usize) -> String {
    format!("arn:aws:sts::{}:assumed-role/r{i}/eve", ACCOUNTS[i % 6])
}

fn caller_arn(o: &std::process::Output) -> String {
    assert!(o.status.success(), "{}{}", stdout(o), stderr(o));
    stdout(o).trim().to_string()
}

#[test]
fn process_mode_writes_no_secret_and_every_client_uses_credential_process() {
    let (_, _, credentials) = eve_world();
    let w = signed_in("process");
    assert_eq!(std::fs::read_to_string(w.home.aws("credentials")).unwrap(), credentials, "no temporary secret written");
    let config = std::fs::read_to_string(w.home.aws("config")).unwrap();
    assert!(config.contains("[profile r3-mfa]\n# Managed by mfatui"), "{config}");
    assert!(config.contains(" credential-process r3\nregion = eu-west-1\n"), "{config}");
    let Some(o) =
        w.aws(&["sts", "get-caller-identity", "--profile", "r3-mfa", "--query", "Arn", "--output", "text"], &[])
    else {
        return;
    };
    assert_eq!(caller_arn(&o), arn_of(3));
    // A role session that is gone renews itself when the client asks (from the MFA session).
    assert!(w.mfatui(&["logout", "r4"], &[]).status.success());
    let o = w.aws(&["sts", "get-caller-identity", "--profile", "r4-mfa", "--query", "Arn", "--output", "text"], &[]);
    assert_eq!(caller_arn(&o.unwrap()), arn_of(4));
    let script = "import boto3\nfor i in (5, 6):\n    print(boto3.Session(profile_name=f'r{i}-mfa').client('sts').get_caller_identity()['Arn'])";
    let o = w.python(script, &[]).unwrap();
    assert_eq!(caller_arn(&o), format!("{}\n{}", arn_of(5), arn_of(6)));
    // aws-sdk-rust's credential_process provider reads the same JSON (Expiration in RFC 3339).
    let o = w.client(
        Command::new(std::env::current_exe().unwrap()),
        &["--exact", "rust_sdk_probe", "--nocapture"],
        &[
            ("MFATUI_PROBE", "process"),
            ("MFATUI_PROBE_COMMAND", &format!("{} credential-process r7", env!("CARGO_BIN_EXE_mfatui"))),
        ],
    );
    assert!(stdout(&o).contains(&format!("PROBE {}", arn_of(7))), "{}{}", stdout(&o), stderr(&o));
    // Back to credentials mode: the config profiles go, the credentials sections come.
    let o = w.mfatui(&["refresh", "--export", "credentials"], &[]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(!std::fs::read_to_string(w.home.aws("config")).unwrap().contains("r3-mfa"));
    assert!(std::fs::read_to_string(w.home.aws("credentials")).unwrap().contains("[r3-mfa]"));
}

#[test]
fn credentials_mode_and_a_hand_written_credential_process_profile() {
    let w = signed_in("credentials");
    let mut config = std::fs::read_to_string(w.home.aws("config")).unwrap();
    config.push_str("\n[profile cp]\ncredential_process = mfatui credential-process r1-mfa\nregion = eu-west-1\n");
    w.home.write("config", &config);
    let Some(o) = w.aws(&["sts", "get-caller-identity", "--profile", "cp", "--query", "Arn", "--output", "text"], &[])
    else {
        return;
    };
    assert_eq!(caller_arn(&o), arn_of(1));
    let o = w.python(
        "import boto3\nprint(boto3.Session(profile_name='cp').client('sts').get_caller_identity()['Arn'])",
        &[],
    );
    assert_eq!(caller_arn(&o.unwrap()), arn_of(1));
    // Errors go to stderr, named, with a non-zero exit; nothing on stdout for the SDK to parse.
    let o = w.mfatui(&["credential-process", "nosuch"], &[]);
    assert_ne!(o.status.code(), Some(0));
    assert!(stdout(&o).is_empty() && stderr(&o).contains("unknown profile `nosuch`"), "{}", stderr(&o));
}

#[test]
fn exec_runs_the_aws_cli_with_the_role_and_passes_its_status_and_signals() {
    let w = signed_in("credentials");
    let Some(aws) = tool("MFATUI_AWS_CLI", &[".venv/bin/aws"]) else { return };
    let aws = aws.display().to_string();
    let args = ["exec", "r2", "--", &aws, "sts", "get-caller-identity", "--query", "Arn", "--output", "text"];
    // AWS_PROFILE in the caller's environment would override the keys: exec removes it.
    let o = w.mfatui(&args, &[("AWS_PROFILE", "eve"), ("MFATUI_TOTP_SEED_BOB", "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU")]);
    assert_eq!(caller_arn(&o), arn_of(2));
    let env = stdout(&w.mfatui(&["exec", "r2", "--", "env"], &[("MFATUI_TOTP_SEED_BOB", "x"), ("AWS_PROFILE", "eve")]));
    assert!(
        env.contains("AWS_SESSION_TOKEN=")
            && env.contains("AWS_CREDENTIAL_EXPIRATION=20")
            && env.contains("AWS_REGION=eu-west-1")
    );
    assert!(!env.contains("MFATUI_TOTP_SEED") && !env.contains("AWS_PROFILE="), "{env}");
    assert_eq!(w.mfatui(&["exec", "r2", "--", "sh", "-c", "exit 7"], &[]).status.code(), Some(7));
    let o = w.mfatui(&["exec", "r2", "--", "sh", "-c", "kill -TERM $$"], &[]);
    assert_eq!(o.status.code(), None, "a signal death is passed through");
    // Nesting is refused unless asked for.
    let me = env!("CARGO_BIN_EXE_mfatui");
    let o = w.mfatui(&["exec", "r2", "--", me, "exec", "r3", "--", "true"], &[]);
    assert_ne!(o.status.code(), Some(0));
    assert!(stderr(&o).contains("already inside `mfatui exec r2`"), "{}", stderr(&o));
    assert!(w.mfatui(&["exec", "r2", "--", me, "exec", "--allow-nested", "r3", "--", "true"], &[]).status.success());
    // --server: the command gets an endpoint, not keys, and the AWS CLI uses it.
    let o = w.mfatui(
        &["exec", "--server", "r8", "--", &aws, "sts", "get-caller-identity", "--query", "Arn", "--output", "text"],
        &[],
    );
    assert_eq!(caller_arn(&o), arn_of(8));
    let env = stdout(&w.mfatui(&["exec", "--server", "r8", "--", "env"], &[]));
    assert!(
        env.contains("AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:") && !env.contains("AWS_SECRET_ACCESS_KEY="),
        "{env}"
    );
    let o = w.mfatui(&["exec", "--server", "r8", "--", "sh", "-c", "exit 3"], &[]);
    assert_eq!(o.status.code(), Some(3));
}

#[test]
fn env_lines_for_eval_and_json() {
    let w = signed_in("credentials");
    let Some(aws) = tool("MFATUI_AWS_CLI", &[".venv/bin/aws"]) else { return };
    let script =
        format!("eval \"$(mfatui env r4)\" && {} sts get-caller-identity --query Arn --output text", aws.display());
    let o = w.client(Command::new("sh"), &["-c", &script], &[("AWS_PROFILE", "eve")]);
    assert_eq!(caller_arn(&o), arn_of(4));
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&w.mfatui(&["env", "r4", "--format", "json"], &[]))).unwrap();
    assert!(json["AWS_SESSION_TOKEN"].as_str().unwrap().len() > 100);
    assert_eq!(json["AWS_REGION"], "eu-west-1");
}

/// A running `mfatui serve`, stopped by PID when dropped.
struct Serve {
    child: std::process::Child,
    url: String,
    token_file: String,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(w: &World, profile: &str) -> Serve {
    use std::io::BufRead;
    let mut cmd = common::detached(env!("CARGO_BIN_EXE_mfatui"));
    cmd.args(["serve", "--all", profile])
        .env_clear()
        .env("HOME", w.home.path())
        .env("PATH", std::env::var("PATH").unwrap())
        .env("AWS_ENDPOINT_URL", w.sandbox.endpoint())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null());
    let mut child = cmd.spawn().unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let (mut url, mut token_file) = (String::new(), String::new());
    while url.is_empty() || token_file.is_empty() {
        let line = lines.next().expect("serve printed its variables").unwrap();
        if let Some(u) = line.trim().strip_prefix("export AWS_CONTAINER_CREDENTIALS_FULL_URI=") {
            url = u.to_string();
        }
        if let Some(t) = line.trim().strip_prefix("export AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=") {
            token_file = t.to_string();
        }
    }
    Serve { child, url, token_file }
}

#[test]
fn serve_hands_sdks_fresh_credentials_behind_a_token() {
    let w = signed_in("credentials");
    let s = serve(&w, "r5");
    let token = std::fs::read_to_string(&s.token_file).unwrap();
    assert!(!token.ends_with('\n') && token.len() == 64, "a token file without a trailing newline");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&s.token_file).unwrap().permissions().mode() & 0o777, 0o600);
    let container = [
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", s.url.as_str()),
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", s.token_file.as_str()),
    ];
    let boto = "import boto3\nprint(boto3.Session(region_name='eu-west-1').client('sts').get_caller_identity()['Arn'])";
    let Some(o) = w.python(boto, &container) else { return };
    assert_eq!(caller_arn(&o), arn_of(5));
    // A wrong or missing token is refused.
    let fetch = |auth: Option<&str>| {
        let header = auth.map(|a| format!("req.add_header('Authorization', '{a}')\n")).unwrap_or_default();
        let script = format!(
            "import urllib.request,urllib.error\nreq=urllib.request.Request('{}')\n{header}try:\n    print(urllib.request.urlopen(req).status)\nexcept urllib.error.HTTPError as e:\n    print(e.code, e.read().decode())",
            s.url
        );
        stdout(&w.python(&script, &[]).unwrap())
    };
    assert!(fetch(None).starts_with("403"), "{}", fetch(None));
    assert!(fetch(Some("not-the-token")).starts_with("403"));
    assert!(fetch(Some(&token)).starts_with("200"));
    // aws-sdk-rust's container provider (which insists on 127.0.0.1 and a Z expiration).
    let o = w.client(
        Command::new(std::env::current_exe().unwrap()),
        &["--exact", "rust_sdk_probe", "--nocapture"],
        &[("MFATUI_PROBE", "container"), container[0], container[1]],
    );
    assert!(stdout(&o).contains(&format!("PROBE {}", arn_of(5))), "{}{}", stdout(&o), stderr(&o));
    // A session near its end is renewed before it is handed out (clients want 15 minutes).
    let store = w.home.path().join(".local/state/mfatui/sessions.json");
    let mut doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&store).unwrap()).unwrap();
    let old_key = doc["sessions"]["r6"]["access_key_id"].as_str().unwrap().to_string();
    let soon = mfatui::aws::clock::rfc3339(mfatui::aws::clock::now_secs() + 600);
    doc["sessions"]["r6"]["expiration"] = serde_json::Value::String(soon);
    doc["sessions"]["r6"]["obtained_at"] = serde_json::json!(0);
    std::fs::write(&store, doc.to_string()).unwrap();
    let r6 = s.url.replace("/profile/r5", "/profile/r6");
    let script = format!(
        "import urllib.request,json\nreq=urllib.request.Request('{r6}')\nreq.add_header('Authorization', '{token}')\nd=json.load(urllib.request.urlopen(req))\nprint(d['AccessKeyId'], d['Expiration'])"
    );
    let out = stdout(&w.python(&script, &[]).unwrap());
    let (key, exp) = out.trim().split_once(' ').unwrap();
    assert_ne!(key, old_key, "renewed");
    let exp = mfatui::aws::clock::parse_rfc3339(exp).unwrap();
    assert!(exp - mfatui::aws::clock::now_secs() > 15 * 60, "{out}");
}

#[test]
fn credential_process_against_moto_wire_format() {
    let Some(moto) = Moto::start() else { return };
    let Some(python) = tool("MFATUI_PYTHON", &[".venv/bin/python"]) else { return };
    let setup = "import boto3,json,sys\niam=boto3.client('iam',endpoint_url=sys.argv[1],region_name='us-east-1',aws_access_key_id='a',aws_secret_access_key='b')\n\
iam.create_user(UserName='mo')\nk=iam.create_access_key(UserName='mo')['AccessKey']\n\
t=json.dumps({'Version':'2012-10-17','Statement':[{'Effect':'Allow','Principal':{'AWS':'*'},'Action':'sts:AssumeRole'}]})\n\
print(k['AccessKeyId'],k['SecretAccessKey'])\nprint(iam.create_role(RoleName='m0',AssumeRolePolicyDocument=t)['Role']['Arn'])";
    let o = Command::new(python).args(["-c", setup, &moto.url]).env_clear().output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let mut lines = out.lines();
    let (key, secret) = lines.next().unwrap().split_once(' ').unwrap();
    let arn = lines.next().unwrap();
    let home = Home::new();
    home.write("config", &format!("[profile mo]\nmfa_serial = arn:aws:iam::123456789012:mfa/mo\nregion = us-east-1\n[profile m0]\nrole_arn = {arn}\nsource_profile = mo\n"))
        .write("credentials", &format!("[mo]\naws_access_key_id = {key}\naws_secret_access_key = {secret}\n"));
    let env = [("AWS_ENDPOINT_URL", moto.url.as_str())];
    let o = home.mfatui(&["login", "mo", "--code", "123456", "--export", "process"], &env);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let o = home.mfatui(&["credential-process", "m0-mfa"], &env);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["Version"], 1);
    assert!(v["Expiration"].as_str().unwrap().ends_with('Z'));
    let Some(aws) = tool("MFATUI_AWS_CLI", &[".venv/bin/aws"]) else { return };
    let o = common::detached(aws)
        .args(["sts", "get-caller-identity", "--profile", "m0-mfa", "--query", "Arn", "--output", "text"])
        .env_clear()
        .env("HOME", home.path())
        .env("PATH", std::env::var("PATH").unwrap())
        .env("AWS_ENDPOINT_URL", &moto.url)
        .output()
        .unwrap();
    assert!(caller_arn(&o).contains(":assumed-role/m0/"), "{}", stdout(&o));
}

/// Run by the tests above in a child process with the environment a Rust program would have.
#[tokio::test]
async fn rust_sdk_probe() {
    let Ok(kind) = std::env::var("MFATUI_PROBE") else { return };
    use aws_config::provider_config::ProviderConfig;
    use aws_sdk_sts::config::{BehaviorVersion, Region};
    let conf = ProviderConfig::default().with_http_client(mfatui::aws::net::http_client());
    let creds: aws_sdk_sts::config::SharedCredentialsProvider = match kind.as_str() {
        "container" => aws_sdk_sts::config::SharedCredentialsProvider::new(
            aws_config::ecs::EcsCredentialsProvider::builder().configure(&conf).build(),
        ),
        _ => aws_sdk_sts::config::SharedCredentialsProvider::new(
            aws_config::credential_process::CredentialProcessProvider::new(
                std::env::var("MFATUI_PROBE_COMMAND").unwrap(),
            ),
        ),
    };
    let sts = aws_sdk_sts::Client::from_conf(
        aws_sdk_sts::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("eu-west-1"))
            .credentials_provider(creds)
            .endpoint_url(std::env::var("AWS_ENDPOINT_URL").unwrap())
            .http_client(mfatui::aws::net::http_client())
            .build(),
    );
    let id = sts.get_caller_identity().send().await.unwrap();
    println!("PROBE {}", id.arn().unwrap());
}

#[test]
fn ten_concurrent_callers_one_prompt_one_sign_in() {
    use mfatui::prompters::socket::{RemoteAnswer, Server};
    let (seed, config, credentials) = eve_world();
    let w = world(&seed, &config, &credentials);
    // This test plays the dashboard: it answers prompts on the socket by signing eve in.
    let state_dir = w.home.path().join(".local/state/mfatui");
    let server = {
        let _in = w.rt.enter();
        Server::bind(&state_dir).unwrap()
    };
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let _serving = w.rt.spawn(server.serve(tx));
    let (home, endpoint) = (w.home.path().to_path_buf(), w.sandbox.endpoint());
    let code = w.sandbox.totp_code(EVE_SERIAL).unwrap();
    let prompts = w.rt.spawn(async move {
        let mut asked = Vec::new();
        while let Some(ask) = rx.recv().await {
            asked.push((ask.user.clone(), ask.requester.clone()));
            if asked.len() == 1 {
                // The person types the code: the dashboard signs in, then answers.
                let o = tokio::process::Command::new(env!("CARGO_BIN_EXE_mfatui"))
                    .args(["login", "eve", "--code", &code])
                    .env_clear()
                    .env("HOME", &home)
                    .env("PATH", std::env::var("PATH").unwrap())
                    .env("AWS_ENDPOINT_URL", &endpoint)
                    .output()
                    .await
                    .unwrap();
                assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
            }
            let _ = ask.reply.send(RemoteAnswer::SignedIn);
        }
        asked
    });
    let callers: Vec<_> = (0..10)
        .map(|i| {
            let mut c = common::detached(env!("CARGO_BIN_EXE_mfatui"));
            c.args(["credential-process", &format!("r{i}")])
                .env_clear()
                .env("HOME", w.home.path())
                .env("PATH", std::env::var("PATH").unwrap())
                .env("AWS_ENDPOINT_URL", w.sandbox.endpoint())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            c.spawn().unwrap()
        })
        .collect();
    for (i, c) in callers.into_iter().enumerate() {
        let o = c.wait_with_output().unwrap();
        assert!(o.status.success(), "r{i}: {}", stderr(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert!(v["AccessKeyId"].as_str().unwrap().starts_with("ASIA"));
    }
    _serving.abort();
    let asked = w.rt.block_on(prompts).unwrap();
    // Every question was about eve and named who asked; one sign-in answered them all (callers
    // that found the session after waiting for the sign-in lock did not ask at all).
    assert!(!asked.is_empty() && asked.iter().all(|(u, r)| u == "eve" && r.contains("pid")), "{asked:?}");
    let stored = mfatui::aws::store::SessionStore::in_dir(&state_dir).load();
    assert!(stored.sessions["eve"].mfa);
    assert_eq!((0..10).filter(|i| stored.sessions.contains_key(&format!("r{i}"))).count(), 10);
    assert_eq!(w.sandbox.calls("GetSessionToken"), 1, "one sign-in for ten callers");
    assert_eq!(w.sandbox.calls("AssumeRole"), 10 + 20, "each caller its role; the sign-in its 20");
}

#[test]
fn with_no_dashboard_and_no_terminal_a_clear_error_within_a_second() {
    let (seed, config, credentials) = eve_world();
    let w = world(&seed, &config, &credentials);
    let started = std::time::Instant::now();
    let o = w.mfatui(&["credential-process", "r0"], &[]);
    assert!(started.elapsed() < std::time::Duration::from_secs(1), "{:?}", started.elapsed());
    assert_ne!(o.status.code(), Some(0));
    let e = stderr(&o);
    assert!(
        e.contains("no mfatui dashboard is running and there is no terminal") && e.contains("open `mfatui`"),
        "{e}"
    );
    assert!(stdout(&o).is_empty());
}
