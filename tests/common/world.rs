//! A world for integration tests: a sandbox with eve (an MFA user behind an MFA-required
//! boundary) and 20 roles in 6 accounts, and a HOME whose AWS files describe it.
#![allow(dead_code)]

use super::{Home, detached, tool};
use mfatui::sandbox::seed::{RoleSeed, UserSeed, mfa_required_boundary};
use mfatui::sandbox::{self, SandboxHandle, Seed};
use std::process::{Command, Output};

pub const EVE_SEED: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
pub const EVE_SERIAL: &str = "arn:aws:iam::100000000001:mfa/eve-phone";
pub const ACCOUNTS: [&str; 6] =
    ["200000000001", "200000000002", "200000000003", "200000000004", "200000000005", "200000000006"];

/// eve, an IAM user with an MFA device and an MFA-required boundary; 20 roles in 6 accounts.
pub fn eve_world() -> (Seed, String, String) {
    let mut seed = Seed::default().policy("100000000001", "MfaRequired", mfa_required_boundary()).user(
        UserSeed::new("100000000001", "eve")
            .key("AKIAEVE0000000000001", "eve-secret")
            .mfa("eve-phone", EVE_SEED)
            .boundary("arn:aws:iam::100000000001:policy/MfaRequired"),
    );
    let mut config = format!("# eve's config\n[profile eve]\nmfa_serial = {EVE_SERIAL}\nregion = eu-west-1\n");
    for i in 0..20 {
        let account = ACCOUNTS[i % 6];
        seed =
            seed.role(RoleSeed::new(account, &format!("r{i}"), &["arn:aws:iam::100000000001:user/eve"]).require_mfa());
        config.push_str(&format!(
            "\n[profile r{i}]\nrole_arn = arn:aws:iam::{account}:role/r{i}\nsource_profile = eve\nregion = eu-west-1\n"
        ));
    }
    (
        seed,
        config,
        "# eve's keys\n[eve]\naws_access_key_id = AKIAEVE0000000000001\naws_secret_access_key = eve-secret\n".into(),
    )
}

pub struct World {
    pub rt: tokio::runtime::Runtime,
    pub sandbox: SandboxHandle,
    pub home: Home,
}

pub fn world(seed: &Seed, config: &str, credentials: &str) -> World {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sandbox = rt.block_on(sandbox::start(seed, 0)).unwrap();
    let home = Home::new();
    home.write("config", config).write("credentials", credentials);
    World { rt, sandbox, home }
}

impl World {
    /// The AWS CLI with this HOME and the sandbox, no controlling terminal; `None` when the
    /// tool is missing and not required.
    pub fn aws(&self, args: &[&str], extra: &[(&str, &str)]) -> Option<Output> {
        let aws = tool("MFATUI_AWS_CLI", &[".venv/bin/aws"])?;
        Some(self.client(Command::new(aws), args, extra))
    }

    /// `python -c SCRIPT` (with boto3), like `aws`.
    pub fn python(&self, script: &str, extra: &[(&str, &str)]) -> Option<Output> {
        let python = tool("MFATUI_PYTHON", &[".venv/bin/python"])?;
        Some(self.client(Command::new(python), &["-c", script], extra))
    }

    /// Any program, with the world's environment (PATH keeps the binary's directory first, so
    /// `mfatui` there is this build).
    pub fn client(&self, mut cmd: Command, args: &[&str], extra: &[(&str, &str)]) -> Output {
        let bin_dir = std::path::Path::new(env!("CARGO_BIN_EXE_mfatui")).parent().unwrap().to_path_buf();
        let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
        let program = cmd.get_program().to_owned();
        let mut d = detached(program);
        d.args(args)
            .env_clear()
            .env("PATH", path)
            .env("HOME", self.home.path())
            .env("AWS_ENDPOINT_URL", self.sandbox.endpoint());
        for (k, v) in extra {
            d.env(k, v);
        }
        cmd = d;
        cmd.output().unwrap()
    }
    pub fn mfatui(&self, args: &[&str], extra: &[(&str, &str)]) -> std::process::Output {
        let mut env = vec![("AWS_ENDPOINT_URL", self.sandbox.endpoint())];
        env.extend(extra.iter().map(|(k, v)| (*k, v.to_string())));
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        self.home.mfatui(args, &env)
    }
}

pub const FRANK_SEED: &str = "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU";
pub const FRANK_SERIAL: &str = "arn:aws:iam::100000000001:mfa/frank-phone";

/// eve's world plus frank, a second MFA user with one role (f0), and his profiles.
pub fn with_frank((seed, config, credentials): (Seed, String, String)) -> (Seed, String, String) {
    let seed = seed
        .user(
            UserSeed::new("100000000001", "frank")
                .key("AKIAFRANK00000000001", "frank-secret")
                .mfa("frank-phone", FRANK_SEED),
        )
        .role(RoleSeed::new("200000000001", "f0", &["arn:aws:iam::100000000001:user/frank"]).require_mfa());
    let config = format!(
        "{config}\n[profile frank]\nmfa_serial = {FRANK_SERIAL}\n[profile f0]\nrole_arn = arn:aws:iam::200000000001:role/f0\nsource_profile = frank\n"
    );
    let credentials = format!(
        "{credentials}[frank]\naws_access_key_id = AKIAFRANK00000000001\naws_secret_access_key = frank-secret\n"
    );
    (seed, config, credentials)
}
