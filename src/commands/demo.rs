//! `mfatui demo`: the whole product in a minute, on a throw-away HOME and the local sandbox.
//!
//! Until the dashboard exists, the demo runs the sign-in flow itself and prints what it did:
//! one MFA code per user (typed by the demo, shown so you can see it), every role assumed in
//! parallel from that session, chained roles after their parent. Nothing outside the temp dir
//! is touched; it is removed when the demo ends.

use crate::aws::config::{self, AwsEnv, Profile, ProfileGraph, ProfileKind};
use crate::aws::secret::Secret;
use crate::aws::sts::{self, AssumeRole, Keys, StsError, Target, TempCredentials};
use crate::aws::totp::seconds_left;
use crate::commands::{human_duration, list};
use crate::sandbox::{self, SandboxHandle, demo_world};
use anyhow::Context;
use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::Path;
use std::sync::Arc;

fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    Ok(())
}

/// A throw-away HOME with the demo user's `~/.aws` files.
pub fn make_home(dir: &Path) -> anyhow::Result<AwsEnv> {
    let aws = dir.join(".aws");
    std::fs::DirBuilder::new().mode(0o700).recursive(true).create(&aws)?;
    write_private(&aws.join("config"), &demo_world::config_file())?;
    write_private(&aws.join("credentials"), &demo_world::credentials_file())?;
    Ok(AwsEnv { home: Some(dir.to_path_buf()), ..AwsEnv::default() })
}

type Outcome = Result<TempCredentials, StsError>;

fn user_keys(cfg: &config::LoadedConfig, user: &str) -> Option<Keys> {
    let s = cfg.sections.profiles.get(user)?;
    Some(Keys {
        access_key_id: s.get("aws_access_key_id")?.to_string(),
        secret_access_key: Secret::new(s.get("aws_secret_access_key")?),
        session_token: None,
    })
}

async fn assume_all<'a>(
    roles: Vec<&'a Profile<'a>>,
    parent: &Keys,
    endpoint: &str,
    session_name: &str,
) -> Vec<(&'a Profile<'a>, Outcome)> {
    let mut tasks = tokio::task::JoinSet::new();
    for (i, p) in roles.iter().enumerate() {
        let target =
            Target { region: p.region.unwrap_or("us-east-1").to_string(), endpoint: Some(endpoint.to_string()) };
        let (keys, arn, ext, name) = (
            parent.clone(),
            p.role_arn.unwrap_or_default().to_string(),
            p.external_id.map(str::to_string),
            session_name.to_string(),
        );
        tasks.spawn(async move {
            let req = AssumeRole {
                role_arn: &arn,
                session_name: &name,
                external_id: ext.as_deref(),
                duration_secs: None,
                mfa: None,
            };
            (i, sts::assume_role(&target, &keys, &req).await)
        });
    }
    let mut out: Vec<Option<Outcome>> = roles.iter().map(|_| None).collect();
    while let Some(Ok((i, r))) = tasks.join_next().await {
        out[i] = Some(r);
    }
    roles.into_iter().zip(out).map(|(p, r)| (p, r.unwrap_or(Err(StsError::Throttled)))).collect()
}

/// Sign in each IAM user once and assume every role rooted at it; chained roles after their parent.
async fn sign_in_everything<'a>(
    out: &mut impl Write,
    cfg: &config::LoadedConfig,
    graph: &'a ProfileGraph<'a>,
    sandbox: &SandboxHandle,
) -> anyhow::Result<Vec<(&'a Profile<'a>, Outcome)>> {
    let endpoint = sandbox.endpoint();
    let mut results = Vec::new();
    for user in graph.profiles.iter().filter(|p| p.kind == ProfileKind::User) {
        let Some(keys) = user_keys(cfg, user.name) else { continue };
        let target = Target { region: user.region.unwrap_or("us-east-1").into(), endpoint: Some(endpoint.clone()) };
        let base = match user.mfa_serial {
            Some(serial) => {
                let code = sandbox.totp_code(serial).context("demo device missing from the sandbox")?;
                writeln!(
                    out,
                    "  {}: the MFA device shows {code} (changes in {}s); signing in with it once",
                    user.name,
                    seconds_left(sandbox.now().max(0) as u64)
                )?;
                match sts::get_session_token(&target, &keys, Some((serial, &code)), None).await {
                    Ok(s) => s.keys,
                    Err(e) => {
                        writeln!(out, "    sign-in failed: {e}")?;
                        continue;
                    }
                }
            }
            None => {
                writeln!(out, "  {}: no MFA device; its roles are assumed with its own keys", user.name)?;
                keys
            }
        };
        let session_name = format!("mfatui-{}", user.name);
        let direct: Vec<&Profile> = graph
            .profiles
            .iter()
            .filter(|p| p.kind == ProfileKind::Role && p.root_user == Some(user.name) && !graph.is_broken(p.name))
            .collect();
        let mut done = assume_all(direct, &base, &endpoint, &session_name).await;
        // Chained roles, one level at a time, from their parent's fresh session.
        loop {
            let parents: HashMap<&str, Keys> =
                done.iter().filter_map(|(p, r)| r.as_ref().ok().map(|c| (p.name, c.keys.clone()))).collect();
            let pending: Vec<&Profile> = graph
                .profiles
                .iter()
                .filter(|p| p.kind == ProfileKind::ChainedRole && p.root_user == Some(user.name))
                .filter(|p| !done.iter().any(|(d, _)| d.name == p.name))
                .filter(|p| p.chain.get(1).is_some_and(|parent| parents.contains_key(parent)))
                .collect();
            if pending.is_empty() {
                break;
            }
            for p in pending {
                let parent = &parents[p.chain[1]];
                done.extend(assume_all(vec![p], parent, &endpoint, &session_name).await);
            }
        }
        results.extend(done);
    }
    Ok(results)
}

pub async fn run(settings: &crate::settings::Settings, started: std::time::Instant) -> anyhow::Result<()> {
    let dir =
        tempfile::Builder::new().prefix("mfatui-demo-").tempdir().context("cannot create a temporary directory")?;
    let env = make_home(dir.path())?;
    let sandbox = sandbox::start(&demo_world::seed(), 0).await?;
    if std::io::stdin().is_terminal() && std::io::stdout().is_terminal() {
        // The dashboard, with a help line showing the demo devices' codes to type.
        let sandbox = Arc::new(sandbox);
        let (sb, home) = (sandbox.clone(), dir.path().display().to_string());
        let hint: crate::app::Hint = Box::new(move || {
            let codes: Vec<String> = demo_world::USERS
                .iter()
                .filter_map(|u| Some(format!("{} {}", u.name, sb.totp_code(&demo_world::mfa_serial(u)?)?)))
                .collect();
            let left = seconds_left(sb.now().max(0) as u64);
            format!(
                "demo · device codes: {} ({left}s) · HOME={home} AWS_ENDPOINT_URL={}",
                codes.join(", "),
                sb.endpoint()
            )
        });
        let endpoint = Some(sandbox.endpoint());
        let result = crate::commands::dashboard::run(&env, settings, endpoint, started, Some(hint)).await;
        drop(dir);
        return result;
    }
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "mfatui demo: a throw-away HOME at {} and a local AWS sandbox at {}\n",
        dir.path().display(),
        sandbox.endpoint()
    )?;

    let cfg = config::load(&env)?;
    let graph = cfg.graph();
    let store = crate::aws::store::Loaded::default();
    let now = sandbox.now();
    let input = list::ListInput { paths: &cfg.paths, graph: &graph, env: &env, store: &store, now };
    writeln!(out, "Your profiles, as `mfatui list` sees them:\n")?;
    list::write_table(&mut out, &input)?;
    for d in graph.diagnostics.iter().filter(|d| d.severity == config::Severity::Error) {
        writeln!(out, "  {d}")?;
    }

    writeln!(out, "\nSigning in: one MFA code per IAM user, then every role in parallel.")?;
    let started = std::time::Instant::now();
    let results = sign_in_everything(&mut out, &cfg, &graph, &sandbox).await?;
    let elapsed = started.elapsed();
    let ok = results.iter().filter(|(_, r)| r.is_ok()).count();
    writeln!(out, "\n{ok} of {} roles ready in {} ms:", results.len(), elapsed.as_millis())?;
    let width = results.iter().map(|(p, _)| p.name.len()).max().unwrap_or(0);
    let arn_width =
        results.iter().filter_map(|(_, r)| r.as_ref().ok()?.assumed_arn.as_ref().map(String::len)).max().unwrap_or(0);
    for (p, r) in &results {
        match r {
            Ok(c) => {
                let arn = c.assumed_arn.as_deref().unwrap_or("");
                writeln!(out, "  {:width$}  {arn:arn_width$}  valid {}", p.name, human_duration(c.expiration - now))?
            }
            Err(e) => writeln!(out, "  {:width$}  failed: {e}", p.name)?,
        }
    }

    let home = dir.path().display();
    writeln!(
        out,
        "\nWithout mfatui, the AWS CLI needs a code per role and per expiry, and here is refused outright\n\
         (alice's permissions boundary denies everything without MFA). Try it in another terminal:\n\
         \n  HOME={home} AWS_ENDPOINT_URL={} aws sts get-caller-identity --profile dev-admin\n",
        sandbox.endpoint()
    )?;
    if std::io::stdin().is_terminal() {
        writeln!(out, "Press Enter (or Ctrl-C) to end the demo; the sandbox and {home} are then removed.")?;
        out.flush()?;
        drop(out);
        let enter = tokio::task::spawn_blocking(|| {
            let mut line = String::new();
            let _ = std::io::stdin().read_line(&mut line);
        });
        tokio::select! {
            _ = enter => {}
            _ = tokio::signal::ctrl_c() => {}
        }
    }
    sandbox.stop();
    drop(dir);
    Ok(())
}
