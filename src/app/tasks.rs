//! Work the loop hands off and hears back from as actions: the console sign-in (its link never
//! reaches the screen), a logout, and `mfatui init`'s discovery for a row without mfa_serial.

use super::{Dashboard, clipboard, snapshot};
use crate::action::Action;
use crate::aws::engine::Prompting;
use crate::state::Level;
use tokio::sync::mpsc;

impl Dashboard {
    /// Sign in to the console in the background; open a browser, else copy the link. The link
    /// (it carries a token) never reaches the screen or the log.
    pub(super) fn console(&self, act_tx: &mpsc::UnboundedSender<Action>, profile: String) {
        let (engine, plan, tx) = (self.engine.clone(), self.plan(), act_tx.clone());
        tokio::spawn(async move {
            let notice = |level, text: String| {
                let _ = tx.send(Action::Notice { level, text });
            };
            let link = crate::aws::console::link(&engine, &plan, &profile, None, None, Prompting::Allowed).await;
            let l = match link {
                Ok(l) => l,
                Err(e) => return notice(Level::Error, format!("console for {profile}: {e:#}")),
            };
            let until =
                l.valid_until.map(|t| format!(" (the link signs in until {})", crate::aws::console::clock_time(t)));
            let opened = tokio::task::spawn_blocking(move || match crate::browser::open(&l.url) {
                Ok(launcher) => {
                    (Level::Success, format!("opened {} with {launcher}{}", l.what, until.unwrap_or_default()))
                }
                Err(why) => {
                    let (ok, msg) = clipboard::copy(&l.url, "the link");
                    let level = if ok { Level::Warn } else { Level::Error };
                    (level, format!("{why}: {msg}, to open {}{}", l.what, until.unwrap_or_default()))
                }
            })
            .await;
            if let Ok((level, text)) = opened {
                tracing::info!(%profile, "console link handed over");
                notice(level, text);
            }
        });
    }

    /// `mfatui init`'s discovery for a user row without mfa_serial, off the loop.
    pub(super) fn init_discover(&self, act_tx: &mpsc::UnboundedSender<Action>, profile: String) {
        use crate::aws::iam::init::{Next, discover};
        let (engine, plan, tx) = (self.engine.clone(), self.plan(), act_tx.clone());
        tokio::spawn(async move {
            let result = match discover(&engine, &plan, &profile).await {
                Ok(d) => match d.next() {
                    Next::Write(serial) => Ok(Some(serial)),
                    Next::Pick(devices) => Err(format!(
                        "{} MFA devices give codes ({}): `mfatui init {profile}` in a terminal lets you pick one",
                        devices.len(),
                        devices.iter().map(|d| d.serial.as_str()).collect::<Vec<_>>().join(", ")
                    )),
                    Next::AskSerial(text) => Err(format!("{text}; `mfatui init {profile}` in a terminal takes it")),
                    Next::Explain(text) => Err(text),
                },
                Err(e) => Err(e.to_string()),
            };
            let _ = tx.send(Action::InitFound { profile, result });
        });
    }

    /// End a profile's sessions off the loop; the store's new state comes back as the sessions.
    pub(super) fn logout(&self, act_tx: &mpsc::UnboundedSender<Action>, profile: String) {
        let (engine, plan, tx) = (self.engine.clone(), self.plan(), act_tx.clone());
        tokio::task::spawn_blocking(move || {
            let which = plan.resolve(&profile).ok();
            let (level, text) = match engine.logout(&plan, which) {
                Ok(removed) => (Level::Success, crate::aws::engine::logout_words(&profile, &removed)),
                Err(e) => (Level::Error, format!("{profile}: not logged out: {e}")),
            };
            let (sessions, aliases) = snapshot(&engine);
            let _ = tx.send(Action::Finished { reports: Vec::new(), sessions, all: false });
            let _ = tx.send(Action::Aliases(aliases));
            let _ = tx.send(Action::Notice { level, text });
        });
    }
}
