//! `mfatui demo`: the whole product in a minute, on a throw-away HOME and the local sandbox.
//!
//! On a terminal it opens the dashboard with a help line showing the demo devices' codes. Without
//! one (scripts, tests) it signs every user in through the engine with the code its device shows
//! and prints what it did. Nothing outside the temp dir is touched; it is removed when the demo ends.

use crate::aws::clock::SystemClock;
use crate::aws::config::{self, AwsEnv};
use crate::aws::engine::{Engine, Plan, Prompting};
use crate::aws::secret::Secret;
use crate::aws::store::SessionStore;
use crate::aws::totp::seconds_left;
use crate::commands::{human_duration, list};
use crate::display::fit;
use crate::sandbox::{self, demo_world};
use anyhow::Context;
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
            // Parts the header drops whole from the end when narrow: the codes come first.
            format!("codes ({left:>2}s): {} · HOME={home} · AWS_ENDPOINT_URL={}", codes.join(" · "), sb.endpoint())
        });
        let endpoint = Some(sandbox.endpoint());
        let result = crate::commands::dashboard::run(&env, settings, endpoint, started, Some(hint), None).await;
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
    let external = Default::default();
    let input =
        list::ListInput { paths: &cfg.paths, graph: &graph, env: &env, store: &store, external: &external, now };
    writeln!(out, "Your profiles, as `mfatui list` sees them:\n")?;
    list::write_table(&mut out, &input)?;
    for d in graph.diagnostics.iter().filter(|d| d.severity == config::Severity::Error) {
        writeln!(out, "  {d}")?;
    }

    writeln!(out, "\nSigning in: one MFA code per IAM user, then every role in parallel.")?;
    let plan = Plan::build(&cfg, &graph, &settings.suffix, |_| None);
    let store = SessionStore::in_dir(&env.state_dir()?);
    let engine = Engine::builder(settings.engine(), store, cfg.paths.clone(), Arc::new(SystemClock))
        .endpoint(Some(sandbox.endpoint()))
        .build();
    let started = std::time::Instant::now();
    let mut roles = Vec::new();
    for user in plan.users.values() {
        let typed = match &user.mfa_serial {
            Some(serial) => {
                let code = sandbox.totp_code(serial).context("demo device missing from the sandbox")?;
                let left = seconds_left(sandbox.now().max(0) as u64);
                writeln!(
                    out,
                    "  {}: the MFA device shows {code} (changes in {left}s); signing in with it once",
                    user.name
                )?;
                Some(Secret::new(code))
            }
            None => {
                writeln!(out, "  {}: no MFA device; its roles are assumed with its own keys", user.name)?;
                None
            }
        };
        let report = engine.login(&plan, &user.name, typed.as_ref(), Prompting::Never, &None).await?;
        if let Some(Err(e)) = &report.mfa {
            writeln!(out, "    sign-in failed: {e}")?;
        }
        let names = report.published.clone();
        roles.extend(report.roles.into_iter().map(|(n, o)| {
            let managed = names.get(&n).and_then(|m| m.clone().ok());
            (n, o.map(|o| (o, managed)))
        }));
    }
    let elapsed = started.elapsed();
    let ok = roles.iter().filter(|(_, r)| r.is_ok()).count();
    writeln!(out, "\n{ok} of {} roles ready in {} ms:", roles.len(), elapsed.as_millis())?;
    let width = roles.iter().map(|(p, _)| p.chars().count()).max().unwrap_or(0).min(40);
    let arn_width = roles
        .iter()
        .filter_map(|(_, r)| r.as_ref().ok()?.0.identity_arn.as_ref().map(|a| a.chars().count()))
        .max()
        .unwrap_or(0)
        .min(80);
    let now = sandbox.now();
    for (name, r) in &roles {
        match r {
            Ok((o, managed)) => {
                let arn = o.identity_arn.as_deref().unwrap_or("");
                let use_with = managed.as_ref().map_or_else(String::new, |m| format!("  --profile {m}"));
                writeln!(
                    out,
                    "  {}  {}  valid {}{use_with}",
                    fit(name, width),
                    fit(arn, arn_width),
                    human_duration(o.expiration - now)
                )?
            }
            Err(e) => writeln!(out, "  {}  failed: {e}", fit(name, width))?,
        }
    }
    writeln!(
        out,
        "\nWithout mfatui, the AWS CLI needs a code per role and per expiry, and is refused here outright\n\
         (alice's permissions boundary denies everything without MFA); with it, every tool just uses\n\
         --profile NAME-mfa. Run `mfatui demo` in a terminal to try the dashboard. The sandbox and\n\
         {} are removed now.",
        dir.path().display()
    )?;
    out.flush()?;
    drop(out);
    sandbox.stop();
    drop(dir);
    Ok(())
}
