//! The IAM screen's workers: each command becomes a tokio task that calls the IAM domain and
//! sends its result back as an action. The domain signs IAM calls with the user's MFA session
//! and asks the engine for one with `Prompting::Allowed`: the dashboard's in-process prompter
//! raises the MFA modal when there is none. A rotation's questions come back through
//! `Waiters::person` and are answered in a popup.

use super::prompts::Waiters;
use super::{Dashboard, progress_sink, snapshot};
use crate::action::{Action, Command};
use crate::aws::engine::Engine;
use crate::aws::iam::{audit, key_ops, keys, rotate};
use tokio::sync::mpsc;

/// The sessions as now stored: a sign-in on the IAM screen shows in the header at once.
fn sessions(engine: &Engine, tx: &mpsc::UnboundedSender<Action>) {
    let _ = tx.send(Action::Sessions(snapshot(engine).0));
}

impl Dashboard {
    pub(super) fn iam(&self, command: Command, act_tx: &mpsc::UnboundedSender<Action>, waiters: &Waiters) {
        let (engine, plan, tx) = (self.engine.clone(), self.plan(), act_tx.clone());
        match command {
            Command::IamLoad { user, overview, audit, max_age_days } => {
                if overview {
                    let (engine, plan, tx, user) = (engine.clone(), plan.clone(), tx.clone(), user.clone());
                    tokio::spawn(async move {
                        let sink = progress_sink(&tx);
                        let r = keys::overview(&engine, &plan, &user, max_age_days, &sink).await;
                        sessions(&engine, &tx);
                        let _ = tx.send(Action::IamOverview { user, result: r.map_err(|e| e.to_string()) });
                    });
                }
                if audit {
                    tokio::spawn(async move {
                        let sink = progress_sink(&tx);
                        let opts = audit::AuditOptions {
                            concurrency: engine.settings().concurrency,
                            ..audit::AuditOptions::default()
                        };
                        let r = audit::audit(&engine, &plan, &user, None, &opts, &sink).await;
                        sessions(&engine, &tx);
                        let result = r.map(Box::new).map_err(|e| e.to_string());
                        let _ = tx.send(Action::IamAudit { user, result });
                    });
                }
            }
            Command::IamPlanFix { user, audit } => {
                tokio::spawn(async move {
                    let r = audit::plan_fix(&engine, &plan, &audit, None, &progress_sink(&tx)).await;
                    let _ = tx.send(Action::IamFixPlan { user, result: r.map_err(|e| e.to_string()) });
                });
            }
            Command::IamApplyFix { user, plan: fix } => {
                tokio::spawn(async move {
                    let r = audit::apply_fix(&engine, &plan, &fix, &progress_sink(&tx)).await;
                    let _ = tx.send(Action::IamFixed { user, result: r.map_err(|e| e.to_string()) });
                });
            }
            Command::IamKey { user, key, op } => {
                tokio::spawn(async move {
                    let r = key_ops::change_key(&engine, &plan, &user, &key, op, &progress_sink(&tx)).await;
                    let _ = tx.send(Action::IamKeyDone { user, key, op, result: r.map_err(|e| e.to_string()) });
                });
            }
            Command::IamRotate { user, opts } => {
                let person = waiters.person(&user);
                tokio::spawn(async move {
                    let news = tx.clone();
                    let who = user.clone();
                    let progress = move |event| {
                        let _ = news.send(Action::IamEvent { user: who.clone(), event });
                    };
                    tracing::info!(%user, "rotating the access key from the dashboard");
                    let r = rotate::rotate(&engine, &plan, &user, &opts, &person, &progress).await;
                    sessions(&engine, &tx);
                    let _ = tx.send(Action::IamRotated { user, result: r.map_err(|e| e.to_string()) });
                });
            }
            other => tracing::warn!(?other, "not an IAM command"),
        }
    }
}
