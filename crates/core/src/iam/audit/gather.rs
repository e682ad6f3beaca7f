//! Every policy that applies to one IAM user, fetched in parallel (bounded): its inline and
//! managed policies, each group's inline and managed policies, and its permissions boundary.
//! A document that cannot be read stays in the list as unreadable; a list that cannot be read
//! (so policies may be missing altogether) is a gap. Either makes the static verdict Unknown.

use super::super::access::short;
use super::super::api::{self, Attached, join_bounded};
use super::super::enforcement::{Policy, Source};
use super::super::policy_api;
use crate::net::{AwsError, Keys};
use crate::sts::Target;
use serde_json::Value;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
pub struct Gathered {
    pub policies: Vec<Policy>,
    /// What could not be listed, and why: `the groups of bob (iam:ListGroupsForUser: …)`.
    pub gaps: Vec<String>,
    pub boundary: Option<String>,
    pub groups: Vec<String>,
}

fn gap(what: String, action: &str, e: &AwsError) -> String {
    format!("{what} ({action}: {})", short(e))
}

pub async fn gather(t: &Target, k: &Keys, user: &str, limit: usize) -> Gathered {
    let mut gaps = Vec::new();
    let (info, inline, attached, groups) = tokio::join!(
        api::get_user(t, k, user),
        policy_api::list_user_policies(t, k, user),
        policy_api::list_attached_user_policies(t, k, user),
        policy_api::list_groups_for_user(t, k, user),
    );
    let boundary = match info {
        Ok(i) => i.boundary,
        Err(e) => {
            gaps.push(gap(format!("the permissions boundary of {user}"), "iam:GetUser", &e));
            None
        }
    };
    let inline = inline.unwrap_or_else(|e| {
        gaps.push(gap(format!("the inline policies of {user}"), "iam:ListUserPolicies", &e));
        Vec::new()
    });
    let attached = attached.unwrap_or_else(|e| {
        gaps.push(gap(format!("the managed policies of {user}"), "iam:ListAttachedUserPolicies", &e));
        Vec::new()
    });
    let groups = groups.unwrap_or_else(|e| {
        gaps.push(gap(format!("the groups of {user}"), "iam:ListGroupsForUser", &e));
        Vec::new()
    });
    let listings = groups.iter().map(|g| async move {
        let (i, a) =
            tokio::join!(policy_api::list_group_policies(t, k, g), policy_api::list_attached_group_policies(t, k, g));
        (g, i, a)
    });
    let mut group_inline: Vec<(&String, String)> = Vec::new();
    let mut group_attached: Vec<(&String, Attached)> = Vec::new();
    for (g, i, a) in join_bounded(limit, listings.collect()).await {
        match i {
            Ok(names) => group_inline.extend(names.into_iter().map(|n| (g, n))),
            Err(e) => gaps.push(gap(format!("the inline policies of group {g}"), "iam:ListGroupPolicies", &e)),
        }
        match a {
            Ok(list) => group_attached.extend(list.into_iter().map(|p| (g, p))),
            Err(e) => gaps.push(gap(format!("the managed policies of group {g}"), "iam:ListAttachedGroupPolicies", &e)),
        }
    }
    // A managed policy attached in several places is read once.
    let mut arns: Vec<&str> = attached.iter().map(|p| p.arn.as_str()).collect();
    arns.extend(group_attached.iter().map(|(_, p)| p.arn.as_str()));
    arns.extend(boundary.as_deref());
    arns.sort();
    arns.dedup();
    let text = |e: AwsError| short(&e);
    let managed_jobs = arns.iter().map(|arn| async move {
        let doc = policy_api::managed_policy_document(t, k, arn).await.map_err(text);
        (arn.to_string(), doc.and_then(|d| d.ok_or_else(|| "the policy does not exist".to_string())))
    });
    let user_jobs =
        inline.iter().map(|n| async move { policy_api::get_user_policy(t, k, user, n).await.map_err(text) });
    let group_jobs =
        group_inline.iter().map(|(g, n)| async move { policy_api::get_group_policy(t, k, g, n).await.map_err(text) });
    let (managed, user_docs, group_docs) = tokio::join!(
        join_bounded(limit, managed_jobs.collect()),
        join_bounded(limit, user_jobs.collect()),
        join_bounded(limit, group_jobs.collect()),
    );
    let managed: BTreeMap<String, Result<Value, String>> = managed.into_iter().collect();
    let doc = |arn: &str| managed.get(arn).cloned().unwrap_or_else(|| Err("not fetched".into()));
    let mut policies: Vec<Policy> = Vec::new();
    for (name, document) in inline.iter().zip(user_docs) {
        policies.push(Policy { source: Source::UserInline { name: name.clone() }, document });
    }
    for p in &attached {
        policies.push(Policy { source: Source::UserManaged { arn: p.arn.clone() }, document: doc(&p.arn) });
    }
    for ((g, name), document) in group_inline.iter().zip(group_docs) {
        policies.push(Policy { source: Source::GroupInline { group: g.to_string(), name: name.clone() }, document });
    }
    for (g, p) in &group_attached {
        let source = Source::GroupManaged { group: g.to_string(), arn: p.arn.clone() };
        policies.push(Policy { source, document: doc(&p.arn) });
    }
    if let Some(arn) = &boundary {
        policies.push(Policy { source: Source::Boundary { arn: arn.clone() }, document: doc(arn) });
    }
    Gathered { policies, gaps, boundary, groups }
}
