//! `mfatui sandbox`: run the local STS/IAM sandbox on its own, for scripts and other tools.

use crate::sandbox::{self, Seed, demo_world};
use anyhow::Context;
use std::io::Write;
use std::path::Path;

pub async fn run(port: u16, seed_file: Option<&Path>) -> anyhow::Result<()> {
    let seed = match seed_file {
        Some(p) => {
            let text = std::fs::read_to_string(p).with_context(|| format!("cannot read seed file {}", p.display()))?;
            Seed::from_json(&text).with_context(|| format!("{} is not a valid sandbox seed", p.display()))?
        }
        None => demo_world::seed(),
    };
    let handle = sandbox::start(&seed, port).await?;
    let mut out = std::io::stdout().lock();
    // The first line is for scripts: they wait for it and read the port from it.
    writeln!(out, "listening on {}", handle.endpoint())?;
    writeln!(out, "Point AWS clients at it with AWS_ENDPOINT_URL={}", handle.endpoint())?;
    for u in &seed.users {
        if let Some(serial) = u.mfa_serial() {
            writeln!(
                out,
                "  {} MFA device {serial}: current code at {}/_sandbox/totp?serial={serial}",
                u.name,
                handle.endpoint()
            )?;
        }
    }
    writeln!(out, "Faults: PUT {}/_sandbox/faults (JSON). Ctrl-C stops the sandbox.", handle.endpoint())?;
    out.flush()?;
    drop(out);
    tokio::signal::ctrl_c().await.context("cannot wait for Ctrl-C")?;
    handle.stop();
    Ok(())
}
