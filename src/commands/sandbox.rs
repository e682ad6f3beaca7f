//! `mfatui sandbox`: run the local STS/IAM sandbox on its own, for scripts and other tools.
//! The first line printed is `listening on http://127.0.0.1:PORT`.

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
    // Best effort: a reader that goes away (a script that read the first line) must not stop
    // the server.
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "listening on {}", handle.endpoint()).and_then(|_| out.flush());
    let _ = writeln!(out, "Point AWS clients at it with AWS_ENDPOINT_URL={}", handle.endpoint());
    let _ = writeln!(
        out,
        "Point `mfatui console` at its sign-in endpoint with {}={}",
        crate::aws::console::ENDPOINT_VAR,
        handle.federation_endpoint()
    );
    for u in &seed.users {
        if let Some(serial) = u.mfa_serial() {
            let _ = writeln!(
                out,
                "  {} MFA device {serial}: current code at {}/_sandbox/totp?serial={serial}",
                u.name,
                handle.endpoint()
            );
        }
    }
    let _ = writeln!(out, "Faults: PUT {}/_sandbox/faults (JSON). Ctrl-C stops the sandbox.", handle.endpoint());
    let _ = out.flush();
    drop(out);
    tokio::signal::ctrl_c().await.context("cannot wait for Ctrl-C")?;
    handle.stop();
    Ok(())
}
