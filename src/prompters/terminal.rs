//! Asking on the controlling terminal (`/dev/tty`), so it works while stdout is captured (as it
//! is for `credential_process`) and stdin is somebody else's.

use crate::aws::prompt::{PromptAnswer, PromptError, PromptFuture, PromptRequest, Prompter, SignInLock};
use crate::aws::secret::Secret;
use std::io::{BufRead, BufReader, Write};

pub struct TerminalPrompter;

impl Prompter for TerminalPrompter {
    fn ask<'a>(&'a self, req: &'a PromptRequest, _lock: &'a mut SignInLock) -> PromptFuture<'a> {
        let (question, retry) = (req.question(), req.retry_reason.clone());
        Box::pin(async move {
            let asked = tokio::task::spawn_blocking(move || -> Result<String, PromptError> {
                let tty = std::fs::OpenOptions::new()
                    .read(true)
                    .write(true)
                    .open("/dev/tty")
                    .map_err(|_| PromptError::Unavailable("no terminal to ask for an MFA code on".into()))?;
                let mut out = &tty;
                // Names come from config files and reasons from servers: shown, never obeyed.
                let safe = |s: &str| crate::aws::sanitize::message(s);
                if let Some(r) = retry {
                    let _ = writeln!(out, "{}", safe(&r));
                }
                let question = format!("{question}, or Enter to cancel: ");
                let _ = write!(out, "{}", safe(&question));
                let _ = out.flush();
                let mut line = String::new();
                BufReader::new(&tty)
                    .read_line(&mut line)
                    .map_err(|e| PromptError::Failed(format!("cannot read from the terminal: {e}")))?;
                Ok(line.trim().to_string())
            })
            .await
            .map_err(|e| PromptError::Failed(e.to_string()))??;
            if asked.is_empty() {
                return Err(PromptError::Refused { user: req.user.clone(), place: "at the terminal".into() });
            }
            Ok(PromptAnswer::Code(Secret::new(asked)))
        })
    }
}
