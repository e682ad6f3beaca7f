//! The dashboard's own prompter, and the bookkeeping of who waits for which user's code.
//!
//! The engine runs in worker tasks; when it needs a code it asks `InProcess`, which hands the
//! question to the app loop (it becomes a modal) and waits for the answer. Other processes ask
//! over the socket (`prompters::socket`); their questions join the same modal. A typed code
//! goes to the engine that asked in this process, or, when only other processes asked, the
//! dashboard signs the user in itself; either way everyone waiting hears "signed in" (or
//! "refused") once.
//!
//! A rotation's yes/no questions (`rotate::Confirm`) travel the same way: `AskPerson` sends
//! them to the loop, which shows a popup and keeps the reply channel here until the person
//! answers (no answer, because the dashboard closed, is a no).

use crate::action::Action;
use crate::aws::engine::Progress;
use crate::aws::iam::rotate::{Answer, Confirm, Question};
use crate::aws::prompt::{PromptAnswer, PromptError, PromptFuture, PromptRequest, Prompter, SignInLock};
use crate::aws::secret::Secret;
use crate::prompters::socket::RemoteAnswer;
use crate::state::{AppState, Level};
use std::collections::HashMap;
use tokio::sync::{mpsc, oneshot};

pub type Reply = oneshot::Sender<Result<PromptAnswer, PromptError>>;

/// News from this dashboard's engine.
pub enum LocalAsk {
    /// It needs a code.
    Code { req: PromptRequest, reply: Reply },
    /// The code typed for `user` was used: signed in (`None`), or why not. Whoever asked (a
    /// refresh, the credentials endpoint, the console), the modal's "signing in…" ends.
    Ended { user: String, error: Option<String> },
}

pub struct InProcess {
    tx: mpsc::UnboundedSender<LocalAsk>,
}

impl InProcess {
    pub fn new(tx: mpsc::UnboundedSender<LocalAsk>) -> Self {
        Self { tx }
    }
}

impl Prompter for InProcess {
    fn ask<'a>(&'a self, req: &'a PromptRequest, _lock: &'a mut SignInLock) -> PromptFuture<'a> {
        Box::pin(async move {
            let (reply, answer) = oneshot::channel();
            let closed = || PromptError::Failed("the dashboard is closing".into());
            self.tx.send(LocalAsk::Code { req: req.clone(), reply }).map_err(|_| closed())?;
            answer.await.map_err(|_| closed())?
        })
    }

    fn ended(&self, user: &str, result: Result<(), String>) {
        let _ = self.tx.send(LocalAsk::Ended { user: user.to_string(), error: result.err() });
    }
}

/// The loop's action for news from this dashboard's engine.
pub fn local_action(ask: LocalAsk, state: &AppState, waiters: &mut Waiters) -> Action {
    let asker = || "this dashboard".to_string();
    match ask {
        LocalAsk::Code { req, reply } => {
            waiters.ask_local(&req.user, reply);
            Action::Prompt { user: req.user, serial: req.serial, asker: asker(), retry_reason: req.retry_reason }
        }
        LocalAsk::Ended { user, error: None } => Action::Progress(Progress::SignedIn { user }),
        LocalAsk::Ended { user, error: Some(e) } => match state.overlays.prompts().find(|m| m.user == user) {
            // The modal says why and takes the next code.
            Some(m) => Action::Prompt { serial: m.serial.clone(), user, asker: asker(), retry_reason: Some(e) },
            None => Action::Notice { level: Level::Error, text: format!("{user}: {e}") },
        },
    }
}

/// What the app must do with a typed code.
#[derive(Debug, PartialEq, Eq)]
pub enum CodeRoute {
    /// The engine that asked has it; nothing more to do.
    Handed,
    /// Only other processes asked: sign the user in with this code.
    SignIn(Secret),
    Nothing,
}

/// A worker's yes/no question about `user`.
pub struct Ask {
    pub user: String,
    pub question: Question,
    pub reply: oneshot::Sender<bool>,
}

/// `rotate::Confirm` answered by the person at the dashboard.
pub struct AskPerson {
    tx: mpsc::UnboundedSender<Ask>,
    user: String,
}

impl Confirm for AskPerson {
    fn confirm<'a>(&'a self, question: &'a Question) -> Answer<'a> {
        Box::pin(async move {
            let (reply, answer) = oneshot::channel();
            let ask = Ask { user: self.user.clone(), question: question.clone(), reply };
            self.tx.send(ask).is_ok() && answer.await.unwrap_or(false)
        })
    }
}

pub struct Waiters {
    local: HashMap<String, Reply>,
    remote: HashMap<String, Vec<oneshot::Sender<RemoteAnswer>>>,
    asks: mpsc::UnboundedSender<Ask>,
    questions: HashMap<u64, oneshot::Sender<bool>>,
    next_question: u64,
}

impl Waiters {
    /// The bookkeeping, and where workers' yes/no questions arrive for the loop.
    pub fn new() -> (Self, mpsc::UnboundedReceiver<Ask>) {
        let (asks, rx) = mpsc::unbounded_channel();
        let w =
            Self { local: HashMap::new(), remote: HashMap::new(), asks, questions: HashMap::new(), next_question: 0 };
        (w, rx)
    }

    /// A `Confirm` for a worker acting on `user`.
    pub fn person(&self, user: &str) -> AskPerson {
        AskPerson { tx: self.asks.clone(), user: user.to_string() }
    }

    /// Keep a question's reply channel; the id goes to the popup.
    pub fn ask_question(&mut self, reply: oneshot::Sender<bool>) -> u64 {
        self.next_question += 1;
        self.questions.insert(self.next_question, reply);
        self.next_question
    }

    pub fn answer_question(&mut self, id: u64, yes: bool) {
        if let Some(reply) = self.questions.remove(&id) {
            let _ = reply.send(yes);
        }
    }

    pub fn ask_local(&mut self, user: &str, reply: Reply) {
        // A newer question (a retry after a wrong code) replaces an older one.
        if let Some(old) = self.local.insert(user.to_string(), reply) {
            let _ = old.send(Err(PromptError::Failed("asked again".into())));
        }
    }

    pub fn ask_remote(&mut self, user: &str, reply: oneshot::Sender<RemoteAnswer>) {
        self.remote.entry(user.to_string()).or_default().push(reply);
    }

    /// The person answered `user`'s prompt: a code, or `None` (refused).
    pub fn answer(&mut self, user: &str, code: Option<Secret>) -> CodeRoute {
        match (self.local.remove(user), code) {
            (Some(reply), Some(code)) => {
                let _ = reply.send(Ok(PromptAnswer::Code(code)));
                CodeRoute::Handed
            }
            (Some(reply), None) => {
                let _ = reply.send(Err(PromptError::Refused { user: user.into(), place: "in the dashboard".into() }));
                self.finish(user, RemoteAnswer::Refused);
                CodeRoute::Nothing
            }
            // Nobody waits for this code any more (the attempt it was asked for ended, e.g.
            // failed part-way): the modal is still open, so the person means to sign in.
            (None, Some(code)) => CodeRoute::SignIn(code),
            (None, None) => {
                self.finish(user, RemoteAnswer::Refused);
                CodeRoute::Nothing
            }
        }
    }

    /// Tell every other process waiting for `user`.
    pub fn finish(&mut self, user: &str, answer: RemoteAnswer) {
        for r in self.remote.remove(user).unwrap_or_default() {
            let _ = r.send(answer.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_code_goes_to_the_local_engine_else_the_dashboard_signs_in() {
        let (mut w, _) = Waiters::new();
        let (tx, rx) = oneshot::channel();
        w.ask_local("alice", tx);
        let (rtx, rrx) = oneshot::channel();
        w.ask_remote("alice", rtx);
        assert_eq!(w.answer("alice", Some(Secret::new("123456"))), CodeRoute::Handed);
        assert!(matches!(rx.await.unwrap(), Ok(PromptAnswer::Code(_))));
        w.finish("alice", RemoteAnswer::SignedIn);
        assert_eq!(rrx.await.unwrap(), RemoteAnswer::SignedIn);
        // Only another process asked: the dashboard signs in itself.
        let (rtx, rrx) = oneshot::channel();
        w.ask_remote("bob", rtx);
        assert!(matches!(w.answer("bob", Some(Secret::new("654321"))), CodeRoute::SignIn(_)));
        assert_eq!(w.answer("bob", None), CodeRoute::Nothing);
        assert_eq!(rrx.await.unwrap(), RemoteAnswer::Refused);
    }

    #[tokio::test]
    async fn a_code_typed_after_an_attempt_failed_part_way_still_signs_in() {
        let (mut w, _) = Waiters::new();
        let (tx, _rx) = oneshot::channel();
        w.ask_local("carol", tx);
        assert_eq!(w.answer("carol", Some(Secret::new("111111"))), CodeRoute::Handed);
        // That sign-in failed (a lock file could not be opened); nobody asks again, the modal
        // shows the error, and the next code is typed into it.
        assert!(matches!(w.answer("carol", Some(Secret::new("222222"))), CodeRoute::SignIn(_)));
    }

    #[tokio::test]
    async fn a_rotation_question_waits_for_the_person_and_no_answer_is_no() {
        let (mut w, mut asks) = Waiters::new();
        let q = Question::MakeRoom {
            user: "alice".into(),
            key: crate::aws::iam::keys::KeyInfo {
                id: crate::aws::iam::api::KeyId::new("AKIAOLD0000000000002"),
                active: false,
                created: None,
                age_days: None,
                old: false,
                in_use: false,
                last_used: Ok(Default::default()),
            },
        };
        let person = w.person("alice");
        let asked = tokio::spawn(async move { person.confirm(&q).await });
        let ask = asks.recv().await.unwrap();
        assert_eq!(ask.user, "alice");
        let id = w.ask_question(ask.reply);
        w.answer_question(id, true);
        assert!(asked.await.unwrap(), "yes reaches the worker");
        let person = w.person("alice");
        let q2 = Question::Rotate {
            profile: "alice".into(),
            user: "alice".into(),
            key: crate::aws::iam::api::KeyId::new("X"),
            resume: None,
            keep_old: false,
            last_used: Ok(Default::default()),
        };
        let asked = tokio::spawn(async move { person.confirm(&q2).await });
        let ask = asks.recv().await.unwrap();
        w.ask_question(ask.reply);
        drop(w);
        assert!(!asked.await.unwrap(), "the dashboard closed: no");
    }
}
