//! `credential-process`, `exec`, `env` and `serve`: credentials for every kind of client, from
//! the same engine (renewed when due, a code asked for only when the MFA session is gone).

use crate::aws::channels::{self, EnvFormat, OVERRIDING, server};
use crate::aws::config::AwsEnv;
use crate::aws::engine::{Engine, Obtained, Plan, Prompting};
use crate::prompters::Order;
use crate::settings::Settings;
use std::io::Write;
use std::os::unix::process::CommandExt;
use std::sync::{Arc, RwLock};

/// Set in the environment of `mfatui exec` children, to notice nesting.
pub const EXEC_VAR: &str = "MFATUI_EXEC_PROFILE";

struct Ready {
    engine: Engine,
    plan: Plan,
}

fn ready(env: &AwsEnv, settings: &Settings, order: Order) -> anyhow::Result<Ready> {
    let (engine, plan) = crate::commands::session::ready(env, settings, order)?;
    Ok(Ready { engine, plan })
}

/// Credentials for `profile`: from the store when good enough (no runtime, no network), else
/// obtained (renewed, or signed in with a prompt).
fn obtain(env: &AwsEnv, r: &Ready, profile: &str) -> anyhow::Result<Obtained> {
    let want = r.engine.hand_out_left(&r.plan, profile);
    if let Some(o) = r.engine.stored_credentials(&r.plan, profile, want) {
        return Ok(o);
    }
    crate::logging::init(&env.state_dir()?);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    Ok(rt.block_on(r.engine.credentials(&r.plan, profile, want, Prompting::Allowed, &None))?)
}

/// `mfatui credential-process PROFILE`: the JSON the AWS CLI and SDKs read; errors on stderr.
pub fn credential_process(env: &AwsEnv, settings: &Settings, profile: &str) -> anyhow::Result<u8> {
    let r = ready(env, settings, Order::DashboardFirst)?;
    let o = obtain(env, &r, profile)?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", channels::process_json(&o))?;
    out.flush()?;
    Ok(0)
}

/// `mfatui env PROFILE`: lines to `eval` (or JSON, or a .env file).
pub fn env_command(env: &AwsEnv, settings: &Settings, profile: &str, format: EnvFormat) -> anyhow::Result<u8> {
    let r = ready(env, settings, Order::DashboardFirst)?;
    let o = obtain(env, &r, profile)?;
    let region = std::env::var("AWS_REGION").ok().filter(|v| !v.is_empty());
    let mut out = std::io::stdout().lock();
    out.write_all(channels::render_env(&channels::env_vars(&o, region.as_deref()), format).as_bytes())?;
    out.flush()?;
    Ok(0)
}

/// A child's environment: mfatui's secrets and anything that would override the credentials
/// removed.
fn clean_env(cmd: &mut std::process::Command) {
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy().into_owned();
        let theirs = OVERRIDING.contains(&k.as_str())
            || k.starts_with(crate::aws::child::SEED_VAR_PREFIX)
            || ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_CREDENTIAL_EXPIRATION"]
                .contains(&k.as_str());
        if theirs {
            cmd.env_remove(k);
        }
    }
}

/// `mfatui exec PROFILE [-- CMD ARGS…]`.
pub fn exec(
    env: &AwsEnv,
    settings: &Settings,
    profile: &str,
    command: &[String],
    with_server: bool,
    allow_nested: bool,
) -> anyhow::Result<u8> {
    if let Ok(outer) = std::env::var(EXEC_VAR)
        && !allow_nested
    {
        anyhow::bail!(
            "already inside `mfatui exec {outer}`: running {profile} inside it would mix two identities; exit that shell first, or pass --allow-nested"
        );
    }
    let r = ready(env, settings, Order::TerminalFirst)?;
    let resolved = r.plan.resolve(profile)?.name().to_string();
    let shell = std::env::var("SHELL").ok().filter(|s| !s.is_empty()).unwrap_or_else(|| "/bin/sh".into());
    let (program, args) = match command.split_first() {
        Some((p, a)) => (p.clone(), a.to_vec()),
        None => (shell, Vec::new()),
    };
    let mut cmd = std::process::Command::new(&program);
    cmd.args(&args);
    clean_env(&mut cmd);
    cmd.env(EXEC_VAR, &resolved);
    let region = std::env::var("AWS_REGION").ok().filter(|v| !v.is_empty());
    if !with_server {
        let o = obtain(env, &r, &resolved)?;
        cmd.envs(channels::env_vars(&o, region.as_deref()));
        // Replace this process: the command gets the terminal, the signals and the exit status
        // exactly as if it had been run directly.
        let e = cmd.exec();
        return not_started(&program, e);
    }
    let state_dir = env.state_dir()?;
    crate::logging::init(&state_dir);
    // The endpoint's clients must not run us out of descriptors; the command keeps the limit it
    // would have had without us.
    if let Some(before) = crate::aws::loopback::conns::raise_fd_limit() {
        // SAFETY: setrlimit is async-signal-safe and touches only the struct copied in.
        unsafe {
            cmd.pre_exec(move || {
                libc::setrlimit(libc::RLIMIT_NOFILE, &before);
                Ok(())
            });
        }
    }
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(async move {
        // Sign in first if needed, on the terminal, before the command starts.
        let want = r.engine.hand_out_left(&r.plan, &resolved);
        let first = r.engine.credentials(&r.plan, &resolved, want, Prompting::Allowed, &None).await?;
        let region = region.unwrap_or(first.region);
        let plan = Arc::new(RwLock::new(Arc::new(r.plan.clone())));
        // The command gets its profile only, not the MFA session that can assume every role.
        let scope = server::Scope::Only(resolved.clone());
        let handle = server::start(r.engine.clone(), plan, 0, &state_dir, scope).await?;
        cmd.env("AWS_CONTAINER_CREDENTIALS_FULL_URI", handle.url(&resolved));
        cmd.env("AWS_CONTAINER_AUTHORIZATION_TOKEN", handle.token().expose());
        if !region.is_empty() {
            cmd.env("AWS_REGION", &region).env("AWS_DEFAULT_REGION", &region);
        }
        let mut child = match tokio::process::Command::from(cmd).spawn() {
            Ok(c) => c,
            Err(e) => return not_started(&program, e),
        };
        let status = forward_signals_until_exit(&mut child).await?;
        drop(handle);
        Ok(exit_code(status))
    })
}

fn not_started(program: &str, e: std::io::Error) -> anyhow::Result<u8> {
    crate::display::warn_line(&format!("mfatui: cannot run `{program}`: {e}"));
    Ok(if e.kind() == std::io::ErrorKind::NotFound { 127 } else { 126 })
}

fn exit_code(status: std::process::ExitStatus) -> u8 {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(c), _) => c as u8,
        (None, Some(s)) => 128u8.saturating_add(s as u8),
        _ => 1,
    }
}

/// Pass on the signals a terminal does not already deliver to the child (it shares our process
/// group, so Ctrl-C, Ctrl-\ and window changes reach it directly; forwarding those too would
/// deliver them twice, and a second Ctrl-C makes terraform abort hard).
async fn forward_signals_until_exit(child: &mut tokio::process::Child) -> anyhow::Result<std::process::ExitStatus> {
    use tokio::signal::unix::{SignalKind, signal};
    let pid = child.id().map(|p| p as libc::pid_t);
    let mut term = signal(SignalKind::terminate())?;
    let mut hup = signal(SignalKind::hangup())?;
    let mut usr1 = signal(SignalKind::user_defined1())?;
    let mut usr2 = signal(SignalKind::user_defined2())?;
    // Ours to swallow: the child gets these from the terminal itself.
    let mut int = signal(SignalKind::interrupt())?;
    let mut quit = signal(SignalKind::quit())?;
    let send = |sig: libc::c_int| {
        if let Some(p) = pid {
            // SAFETY: signalling our own child; no memory is involved.
            unsafe { libc::kill(p, sig) };
        }
    };
    loop {
        tokio::select! {
            status = child.wait() => return Ok(status?),
            _ = term.recv() => send(libc::SIGTERM),
            _ = hup.recv() => send(libc::SIGHUP),
            _ = usr1.recv() => send(libc::SIGUSR1),
            _ = usr2.recv() => send(libc::SIGUSR2),
            _ = int.recv() => {}
            _ = quit.recv() => {}
        }
    }
}

/// `mfatui serve`: the container-credentials endpoint, until Ctrl-C or SIGTERM. `profile`: the
/// one profile served, unless `all`, where it only names the example printed.
pub fn serve(env: &AwsEnv, settings: &Settings, port: u16, profile: Option<&str>, all: bool) -> anyhow::Result<u8> {
    let r = ready(env, settings, Order::DashboardFirst)?;
    let scope = match (profile, all) {
        (_, true) => server::Scope::All,
        (Some(p), false) => server::Scope::Only(r.plan.resolve(p)?.name().to_string()),
        (None, false) => anyhow::bail!(
            "name the profile to serve (mfatui serve PROFILE), or pass --all to serve every profile mfatui signs in, including the MFA sessions that can assume every role"
        ),
    };
    if let Some(p) = profile {
        r.plan.resolve(p)?;
    }
    let state_dir = env.state_dir()?;
    crate::logging::init(&state_dir);
    crate::aws::loopback::conns::raise_fd_limit();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(async move {
        use tokio::signal::unix::{SignalKind, signal};
        // Before the token file exists, so a stop at any moment after it removes it.
        let mut term = signal(SignalKind::terminate())?;
        let mut int = signal(SignalKind::interrupt())?;
        let mut hup = signal(SignalKind::hangup())?;
        let plan = Arc::new(RwLock::new(Arc::new(r.plan.clone())));
        let handle = server::start(r.engine.clone(), plan, port, &state_dir, scope).await?;
        // Best effort: a reader that goes away (a script that read the first lines) must not
        // stop the server.
        let mut out = crate::display::stdout(false);
        let _ = writeln!(out, "mfatui serves credentials on http://{} (Ctrl-C stops it). In the client's environment set:", handle.addr);
        let example = profile.map(str::to_string).or_else(|| r.plan.roles.first().map(|x| x.name.clone()));
        let uri = match example {
            Some(p) => handle.url(&p),
            None => format!("http://{}/profile/PROFILE", handle.addr),
        };
        let _ = writeln!(out, "  export AWS_CONTAINER_CREDENTIALS_FULL_URI={uri}");
        let _ = writeln!(out, "  export AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE={}", handle.token_file.display());
        let _ = writeln!(
            out,
            "  unset AWS_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN   # these would win over the endpoint"
        );
        if all {
            let _ = writeln!(out, "Every profile mfatui signs in is served: /profile/NAME (`mfatui status` lists them).");
        } else {
            let _ = writeln!(out, "Only this profile is served (--all serves every profile).");
        }
        let _ = out.flush();
        drop(out);
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
            _ = hup.recv() => {}
        }
        drop(handle);
        Ok(0)
    })
}
