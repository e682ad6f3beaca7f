//! `mfatui console PROFILE`: the AWS web console as a role, from its session (renewed first if
//! it is near its end), without another MFA prompt unless the MFA session itself is gone.

use crate::aws::config::AwsEnv;
use crate::aws::console::{self, clock_time};
use crate::aws::engine::Prompting;
use crate::prompters::Order;
use crate::settings::Settings;
use std::io::Write;

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
    let l = rt.block_on(console::link(&engine, &plan, profile, region, destination, Prompting::Allowed))?;
    let valid =
        l.valid_until.map(|t| format!(" The link signs in until {} (15 minutes).", clock_time(t))).unwrap_or_default();
    if print {
        writeln!(std::io::stdout(), "{}", l.url)?;
        crate::display::warn_line(&format!("Open it in a browser to see {}.{valid}", l.what));
        return Ok(0);
    }
    match crate::browser::open(&l.url) {
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
