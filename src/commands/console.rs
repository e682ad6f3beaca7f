//! `mfatui console PROFILE`: the AWS web console as a role, from its session (renewed first if
//! it is near its end), without another MFA prompt unless the MFA session itself is gone.

use crate::aws::clock::rfc3339;
use crate::aws::config::AwsEnv;
use crate::aws::console::{self, Partition, URL_VALID_SECS};
use crate::aws::engine::{Engine, Plan, Prompting, Resolved};
use crate::prompters::Order;
use crate::settings::Settings;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

/// What to open, and how to talk about it.
pub struct Link {
    pub url: String,
    /// `dev-admin (console home, eu-west-1)`, for messages (never the URL: it holds a token).
    pub what: String,
    /// Unix seconds after which the URL no longer signs in (None: a plain page).
    pub valid_until: Option<i64>,
}

/// The link for a planned profile: a role's console, or a user's account sign-in page.
pub async fn link(
    engine: &Engine,
    plan: &Plan,
    profile: &str,
    region: Option<&str>,
    destination: Option<&str>,
    prompting: Prompting,
) -> anyhow::Result<Link> {
    match plan.resolve(profile)? {
        Resolved::User(u) => {
            let partition = Partition::of(None, &u.export_region);
            let aliases = engine.store().load().account_aliases;
            let account =
                u.account.as_deref().map(|a| aliases.get(a).filter(|x| !x.is_empty()).map_or(a, |x| x.as_str()));
            let Some(account) = account else {
                anyhow::bail!(
                    "{} is an IAM user: the console needs a role session or a password sign-in, and mfatui does not know {}'s account (add mfa_serial to its profile)",
                    u.name,
                    u.name
                );
            };
            Ok(Link {
                url: partition.account_signin(account),
                what: format!(
                    "{}'s account sign-in page ({} is an IAM user: the console needs a role session, or a password and MFA sign-in here)",
                    u.name, u.name
                ),
                valid_until: None,
            })
        }
        Resolved::Role(r) => {
            let arn = crate::aws::config::arn::parse_role_arn(&r.role_arn);
            let region = region.unwrap_or(&r.export_region);
            let partition = Partition::of(arn.map(|a| a.account.partition), region);
            let dest = console::destination(partition, region, destination)?;
            let want = engine.hand_out_left(plan, &r.name);
            let creds = engine.credentials(plan, &r.name, want, prompting, &None).await?;
            let endpoint =
                engine.federation().map(str::to_string).unwrap_or_else(|| console::federation_endpoint(partition));
            let token = console::signin_token(&endpoint, &creds.keys, engine.settings().deadlines).await?;
            let place = destination.unwrap_or("console home");
            Ok(Link {
                url: console::login_url(&endpoint, &token, &dest),
                what: format!("the console as {} ({place}, {region})", r.name),
                valid_until: Some(engine.clock().now() + URL_VALID_SECS),
            })
        }
    }
}

/// Open `url` in a browser: `$BROWSER` (a `:`-separated list; `%s` marks where the URL goes),
/// else `xdg-open` / `open`. The URL goes only to the launcher's argv. Returns the launcher used.
pub fn open_browser(url: &str) -> Result<String, String> {
    let mut tried = Vec::new();
    let from_env = std::env::var("BROWSER").ok().filter(|b| !b.trim().is_empty());
    let candidates: Vec<String> = match &from_env {
        Some(b) => b.split(':').map(str::to_string).collect(),
        None if cfg!(target_os = "macos") => vec!["open".into()],
        None => vec!["xdg-open".into()],
    };
    for c in candidates {
        let Some(mut words) = shlex::split(&c).filter(|w| !w.is_empty()) else { continue };
        if words.iter().any(|w| w.contains("%s")) {
            words.iter_mut().for_each(|w| *w = w.replace("%s", url));
        } else {
            words.push(url.to_string());
        }
        let program = words.remove(0);
        let started = Command::new(&program)
            .args(&words)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        match started {
            Ok(mut child) => {
                // Launchers return at once; a browser run directly keeps running, which is fine.
                for _ in 0..30 {
                    match child.try_wait() {
                        Ok(Some(s)) if s.success() => return Ok(program),
                        Ok(Some(_)) => break,
                        Ok(None) => std::thread::sleep(Duration::from_millis(100)),
                        Err(_) => break,
                    }
                }
                if child.try_wait().ok().flatten().is_none() {
                    return Ok(program);
                }
                tried.push(program);
            }
            Err(_) => tried.push(program),
        }
    }
    Err(format!("no browser could be opened (tried {})", tried.join(", ")))
}

pub(crate) fn clock_time(unix: i64) -> String {
    rfc3339(unix).get(11..16).unwrap_or_default().to_string() + " UTC"
}

pub fn run(
    env: &AwsEnv,
    settings: &Settings,
    profile: &str,
    print: bool,
    region: Option<&str>,
    destination: Option<&str>,
) -> anyhow::Result<u8> {
    if let Some(r) = region
        && !crate::aws::engine::valid_region(r)
    {
        anyhow::bail!("--region {r:?} is not a region name (like eu-west-1)");
    }
    let (engine, plan) = crate::commands::session::ready(env, settings, Order::TerminalFirst)?;
    crate::logging::init(&env.state_dir()?);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let l = rt.block_on(link(&engine, &plan, profile, region, destination, Prompting::Allowed))?;
    let valid =
        l.valid_until.map(|t| format!(" The link signs in until {} (15 minutes).", clock_time(t))).unwrap_or_default();
    if print {
        writeln!(std::io::stdout(), "{}", l.url)?;
        crate::display::warn_line(&format!("Open it in a browser to see {}.{valid}", l.what));
        return Ok(0);
    }
    match open_browser(&l.url) {
        Ok(launcher) => {
            tracing::info!(%launcher, "opened {}", l.what);
            crate::display::warn_line(&format!("Opened {} with {launcher}.{valid}", l.what));
            Ok(0)
        }
        Err(why) => {
            crate::display::warn_line(&format!("{why}: open this link yourself to see {}.{valid}", l.what));
            writeln!(std::io::stdout(), "{}", l.url)?;
            Ok(1)
        }
    }
}
