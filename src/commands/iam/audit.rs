//! `mfatui audit`: the three kinds of evidence per user, the verdict, the fix (and `--fix`).
//! Exit 0 enforced, 1 not enforced, 2 unknown or error; with several users, the worst.

use super::{Ctx, ask_tty, has_tty};
use crate::aws::config::AwsEnv;
use crate::aws::iam::audit::{self, Audit, AuditOptions, PROBE_ACTION, Probe, Simulation};
use crate::aws::iam::enforcement::{FindingSeverity, Verdict};
use crate::aws::iam::policy_api::SimResult;
use crate::settings::Settings;
use serde_json::{Value, json};
use std::io::Write;

fn exit_code(v: Verdict) -> u8 {
    match v {
        Verdict::Enforced => 0,
        Verdict::NotEnforced => 1,
        Verdict::Unknown => 2,
    }
}

fn probe_json(p: &Probe) -> Value {
    let (result, policy_type, detail) = match p {
        Probe::Allowed => ("allowed", None, None),
        Probe::ExplicitDeny { policy_type, message } => ("explicit_deny", Some(policy_type), Some(message)),
        Probe::Inconclusive { why } => ("inconclusive", None, Some(why)),
        Probe::NotRun { why } => ("not_run", None, Some(why)),
    };
    json!({"action": PROBE_ACTION, "result": result, "policy_type": policy_type, "detail": detail})
}

fn sim_json(s: &Simulation) -> Value {
    match s {
        Simulation::NotAvailable { reason } => json!({"available": false, "reason": reason}),
        Simulation::Ran { absent, false_ } => {
            let one = |r: &SimResult| json!({"decision": r.decision, "matched": r.matched, "missing_context": r.missing_context});
            json!({"available": true, "action": PROBE_ACTION, "mfa_absent": one(absent), "mfa_false": one(false_)})
        }
    }
}

fn audit_json(a: &Audit) -> Value {
    let s = &a.static_;
    let policies: Vec<Value> = s
        .gathered
        .policies
        .iter()
        .map(|p| {
            let mut v = json!(p.source);
            v["readable"] = json!(p.document.is_ok());
            v["error"] = json!(p.document.as_ref().err());
            v
        })
        .collect();
    let findings: Vec<Value> = s
        .assessment
        .findings
        .iter()
        .map(|f| json!({"severity": f.severity, "kind": f.kind, "source": f.source, "message": f.message}))
        .collect();
    let hatches: Vec<Value> = s
        .assessment
        .escape_hatches
        .iter()
        .map(|h| json!({"action": h.action, "why": h.why, "source": h.source}))
        .collect();
    let fix = a.fix.as_ref().map(|f| {
        let parse = |t: &str| serde_json::from_str::<Value>(t).unwrap_or(Value::String(t.into()));
        json!({"description": f.description, "deny_label": f.deny_label, "deny_statement": parse(&f.deny_statement),
               "boundary_label": f.boundary_label, "boundary_document": parse(&f.boundary_document)})
    });
    json!({
        "profile": a.profile, "user": a.user, "arn": a.arn, "account": a.account,
        "caller": a.caller, "caller_mfa_session": a.caller_mfa,
        "verdict": a.verdict, "reason": a.reason,
        "static": {"verdict": s.verdict, "summary": s.summary, "policies": policies,
                   "gaps": s.gathered.gaps, "findings": findings, "escape_hatches": hatches,
                   "boundary": s.gathered.boundary, "groups": s.gathered.groups},
        "probe": probe_json(&a.probe),
        "simulator": sim_json(&a.simulation),
        "fix": fix,
    })
}

fn write_audit(out: &mut impl Write, a: &Audit) -> std::io::Result<()> {
    writeln!(out, "{} ({}): MFA {}", a.profile, a.arn, a.verdict.word())?;
    writeln!(out, "  why: {}", a.reason)?;
    let via = if a.caller_mfa { "MFA session" } else { "long-term key, no MFA" };
    writeln!(out, "  IAM calls made as {} ({via})", a.caller)?;
    let s = &a.static_;
    writeln!(out, "  (a) policies: {}", s.summary)?;
    let readable = s.gathered.policies.iter().filter(|p| p.document.is_ok()).count();
    writeln!(out, "      {} of {} applicable policies read", readable, s.gathered.policies.len())?;
    for f in s.assessment.findings.iter().filter(|f| f.severity > FindingSeverity::Info) {
        writeln!(out, "      {}: {}", f.severity.tag(), f.message)?;
    }
    writeln!(out, "  (b) live probe: {}", audit::probe_line(&a.probe))?;
    writeln!(out, "  (c) policy simulator: {}", a.simulation.describe())?;
    writeln!(out, "  note: service control policies are not visible from a member account and are not covered")?;
    if let Some(fix) = &a.fix {
        writeln!(out, "  fix: {}", fix.description)?;
        for (label, json) in [(&fix.deny_label, &fix.deny_statement), (&fix.boundary_label, &fix.boundary_document)] {
            writeln!(out, "  {label}")?;
            for line in json.lines() {
                writeln!(out, "    {line}")?;
            }
        }
    }
    writeln!(out)
}

pub struct AuditFlags {
    pub json: bool,
    pub fix: bool,
    pub yes: bool,
    pub as_profile: Option<String>,
}

/// `mfatui audit [PROFILE…]`.
pub fn audit(env: &AwsEnv, settings: Settings, profiles: &[String], flags: AuditFlags) -> anyhow::Result<u8> {
    if flags.fix && !flags.yes && !has_tty() {
        anyhow::bail!(
            "--fix asks for confirmation on the terminal, and there is none here: run it in a terminal, or add --yes"
        );
    }
    let ctx = Ctx::new(env, settings)?;
    let opts = AuditOptions { concurrency: ctx.settings.concurrency, ..AuditOptions::default() };
    let as_profile = flags.as_profile.as_deref();
    let mut out = crate::display::stdout(flags.json);
    let (mut worst, mut users, mut errors) = (0u8, Vec::new(), Vec::new());
    for p in ctx.profiles(profiles) {
        let a = match ctx.rt.block_on(audit::audit(&ctx.engine, &ctx.plan, &p, as_profile, &opts, &None)) {
            Ok(a) => a,
            Err(e) => {
                if !flags.json {
                    writeln!(out, "{p}: {e}\n")?;
                }
                errors.push(json!({"profile": p, "error": e.to_string()}));
                worst = 2;
                continue;
            }
        };
        if !flags.json {
            write_audit(&mut out, &a)?;
        }
        let mut row = audit_json(&a);
        let mut verdict = a.verdict;
        if flags.fix && a.verdict == Verdict::NotEnforced {
            match fix(&ctx, &a, as_profile, flags.yes, flags.json, &mut out) {
                Ok(Some(after)) => {
                    if !flags.json {
                        writeln!(out, "After the fix:")?;
                        write_audit(&mut out, &after)?;
                    }
                    verdict = after.verdict;
                    row["after_fix"] = audit_json(&after);
                }
                Ok(None) => {}
                Err(e) => {
                    if !flags.json {
                        writeln!(out, "  fix not applied: {e}\n")?;
                    }
                    row["fix_error"] = json!(e.to_string());
                }
            }
        }
        worst = worst.max(exit_code(verdict));
        users.push(row);
    }
    if flags.json {
        let doc = json!({"users": users, "errors": errors});
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
    }
    Ok(worst)
}

/// Show the fix, ask, apply, audit again. `None` when declined.
fn fix(
    ctx: &Ctx,
    a: &Audit,
    as_profile: Option<&str>,
    yes: bool,
    json: bool,
    out: &mut impl Write,
) -> anyhow::Result<Option<Audit>> {
    let plan = ctx.rt.block_on(audit::plan_fix(&ctx.engine, &ctx.plan, a, as_profile, &None))?;
    if !json {
        if plan.create {
            writeln!(out, "  --fix: creating {} with the boundary document shown above", plan.policy_arn)?;
        }
        writeln!(out, "  --fix: setting {} as the permissions boundary of {}", plan.policy_arn, plan.user)?;
    }
    if !yes && !ask_tty(&plan.question()) {
        if !json {
            writeln!(out, "  --fix declined; nothing changed\n")?;
        }
        return Ok(None);
    }
    ctx.rt.block_on(audit::apply_fix(&ctx.engine, &ctx.plan, &plan, &None))?;
    let opts = AuditOptions { concurrency: ctx.settings.concurrency, ..AuditOptions::default() };
    Ok(Some(ctx.rt.block_on(audit::audit(&ctx.engine, &ctx.plan, &a.profile, as_profile, &opts, &None))?))
}
