//! IAM actions about policies: managed policies and their versions, permissions boundaries,
//! user and group inline policies, and what is attached to users and groups.

use super::iam::{required, target_user, url_encode};
use super::state::{ApiError, ApiResult, Policy, World, random_id};
use super::sts::Req;
use super::xml::{Body, timestamp};

/// Quota AWS enforces on managed policies attached to one user.
const MAX_ATTACHED: usize = 10;

fn policy_body(b: &mut Body, w: &World, p: &Policy) {
    let boundary_uses = w.users.values().filter(|u| u.boundary.as_deref() == Some(p.arn.as_str())).count();
    let attachments = w.users.values().filter(|u| u.attached.contains(&p.arn)).count()
        + w.groups.values().filter(|g| g.attached.contains(&p.arn)).count();
    b.open("Policy")
        .leaf("PolicyName", &p.name)
        .leaf("DefaultVersionId", "v1")
        .leaf("PolicyId", &p.id)
        .leaf("Path", "/")
        .leaf("Arn", &p.arn)
        .leaf("AttachmentCount", &attachments.to_string())
        .leaf("PermissionsBoundaryUsageCount", &boundary_uses.to_string())
        .leaf("IsAttachable", "true")
        .leaf("CreateDate", &timestamp(p.created))
        .leaf("UpdateDate", &timestamp(p.created))
        .close("Policy");
}

fn attached(b: &mut Body, w: &World, arns: &[String]) {
    b.members("AttachedPolicies", arns, |b, arn| {
        let name =
            w.policies.get(arn).map_or_else(|| arn.rsplit('/').next().unwrap_or(arn).to_string(), |p| p.name.clone());
        b.leaf("PolicyName", &name).leaf("PolicyArn", arn);
    });
    b.leaf("IsTruncated", "false");
}

fn names<'a>(b: &mut Body, names: impl Iterator<Item = &'a String>) {
    let names: Vec<&String> = names.collect();
    b.members("PolicyNames", &names, |b, n| {
        b.text(n);
    });
    b.leaf("IsTruncated", "false");
}

/// IAM accepts only a JSON object with statements (it checks far more; this catches typos).
fn valid_document(doc: &str) -> ApiResult<()> {
    match serde_json::from_str::<serde_json::Value>(doc) {
        Ok(v) if v.get("Statement").is_some() => Ok(()),
        _ => Err(ApiError::new(400, "MalformedPolicyDocument", "Syntax errors in policy.")),
    }
}

/// Handle a policy action; `None` if `action` is not one.
pub fn handle(action: &str, w: &mut World, req: &Req) -> Option<ApiResult<Option<String>>> {
    let (caller, params, now) = (req.caller, req.params, req.now);
    let account = caller.account().to_string();
    let run = |w: &mut World| -> ApiResult<Option<String>> {
        let mut b = Body::default();
        match action {
            "GetPolicy" | "GetPolicyVersion" => {
                let arn = required(params, "PolicyArn")?;
                let p = w
                    .policies
                    .get(arn)
                    .ok_or_else(|| ApiError::no_such_entity(format!("Policy {arn} was not found.")))?;
                if action == "GetPolicy" {
                    policy_body(&mut b, w, p);
                } else {
                    let version = required(params, "VersionId")?;
                    if version != "v1" {
                        return Err(ApiError::no_such_entity(format!(
                            "Policy {arn} version {version} does not exist or is not attachable."
                        )));
                    }
                    b.open("PolicyVersion")
                        .leaf("Document", &url_encode(&p.document))
                        .leaf("VersionId", "v1")
                        .leaf("IsDefaultVersion", "true")
                        .leaf("CreateDate", &timestamp(p.created))
                        .close("PolicyVersion");
                }
            }
            "CreatePolicy" => {
                let name = required(params, "PolicyName")?;
                let doc = required(params, "PolicyDocument")?;
                valid_document(doc)?;
                let arn = format!("arn:aws:iam::{account}:policy/{name}");
                if w.policies.contains_key(&arn) {
                    return Err(ApiError::new(
                        409,
                        "EntityAlreadyExists",
                        format!("A policy called {name} already exists. Duplicate names are not allowed."),
                    ));
                }
                let p = Policy {
                    arn: arn.clone(),
                    name: name.clone(),
                    id: random_id("ANPA", 17),
                    document: doc.clone(),
                    created: now,
                };
                policy_body(&mut b, w, &p);
                w.policies.insert(arn, p);
            }
            "PutUserPermissionsBoundary" | "DeleteUserPermissionsBoundary" => {
                let name = required(params, "UserName")?.clone();
                let arn = if action == "PutUserPermissionsBoundary" {
                    let arn = required(params, "PermissionsBoundary")?;
                    if !w.policies.contains_key(arn) {
                        return Err(ApiError::no_such_entity(format!(
                            "Scope ARN: {arn} does not exist or is not attachable."
                        )));
                    }
                    Some(arn.clone())
                } else {
                    None
                };
                w.user_mut(&account, &name)?.boundary = arn;
                return Ok(None);
            }
            "AttachUserPolicy" | "DetachUserPolicy" => {
                let name = required(params, "UserName")?.clone();
                let arn = required(params, "PolicyArn")?.clone();
                if action == "AttachUserPolicy" && !w.policies.contains_key(&arn) {
                    return Err(ApiError::no_such_entity(format!("Policy {arn} does not exist or is not attachable.")));
                }
                let u = w.user_mut(&account, &name)?;
                match (action, u.attached.iter().position(|a| *a == arn)) {
                    ("AttachUserPolicy", Some(_)) => {}
                    ("AttachUserPolicy", None) if u.attached.len() >= MAX_ATTACHED => {
                        return Err(ApiError::new(
                            409,
                            "LimitExceeded",
                            format!("Cannot exceed quota for PoliciesPerUser: {MAX_ATTACHED}"),
                        ));
                    }
                    ("AttachUserPolicy", None) => u.attached.push(arn),
                    (_, Some(i)) => {
                        u.attached.remove(i);
                    }
                    (_, None) => return Err(ApiError::no_such_entity(format!("Policy {arn} was not found."))),
                }
                return Ok(None);
            }
            "ListAttachedUserPolicies" => {
                let u = w.user(&account, &target_user(caller, params)?)?;
                attached(&mut b, w, &u.attached);
            }
            "ListAttachedGroupPolicies" => {
                let g = w.group(&account, required(params, "GroupName")?)?;
                attached(&mut b, w, &g.attached);
            }
            "ListGroupsForUser" => {
                let u = w.user(&account, &target_user(caller, params)?)?;
                let groups: Vec<_> =
                    u.groups.iter().filter_map(|g| w.groups.get(&(account.clone(), g.clone()))).collect();
                b.members("Groups", &groups, |b, g| {
                    b.leaf("Path", "/")
                        .leaf("GroupName", &g.name)
                        .leaf("GroupId", &g.id)
                        .leaf("Arn", &g.arn())
                        .leaf("CreateDate", &timestamp(g.created));
                });
                b.leaf("IsTruncated", "false");
            }
            "ListUserPolicies" => {
                let u = w.user(&account, &target_user(caller, params)?)?;
                names(&mut b, u.inline.keys());
            }
            "ListGroupPolicies" => {
                let g = w.group(&account, required(params, "GroupName")?)?;
                names(&mut b, g.inline.keys());
            }
            "GetUserPolicy" => {
                let name = required(params, "UserName")?;
                let policy = required(params, "PolicyName")?;
                let u = w.user(&account, name)?;
                let doc = u.inline.get(policy).ok_or_else(|| {
                    ApiError::no_such_entity(format!("The user policy with name {policy} cannot be found."))
                })?;
                b.leaf("UserName", name).leaf("PolicyName", policy).leaf("PolicyDocument", &url_encode(doc));
            }
            "GetGroupPolicy" => {
                let group = required(params, "GroupName")?;
                let policy = required(params, "PolicyName")?;
                let g = w.group(&account, group)?;
                let doc = g.inline.get(policy).ok_or_else(|| {
                    ApiError::no_such_entity(format!("The group policy with name {policy} cannot be found."))
                })?;
                b.leaf("GroupName", group).leaf("PolicyName", policy).leaf("PolicyDocument", &url_encode(doc));
            }
            "PutUserPolicy" => {
                let name = required(params, "UserName")?;
                let policy = required(params, "PolicyName")?;
                let doc = required(params, "PolicyDocument")?;
                valid_document(doc)?;
                w.user_mut(&account, name)?.inline.insert(policy.clone(), doc.clone());
                return Ok(None);
            }
            "DeleteUserPolicy" => {
                let name = required(params, "UserName")?;
                let policy = required(params, "PolicyName")?;
                if w.user_mut(&account, name)?.inline.remove(policy).is_none() {
                    return Err(ApiError::no_such_entity(format!(
                        "The user policy with name {policy} cannot be found."
                    )));
                }
                return Ok(None);
            }
            _ => unreachable!("only actions listed in POLICY_ACTIONS get here"),
        }
        Ok(Some(b.into_string()))
    };
    POLICY_ACTIONS.contains(&action).then(|| run(w))
}

const POLICY_ACTIONS: &[&str] = &[
    "GetPolicy",
    "GetPolicyVersion",
    "CreatePolicy",
    "PutUserPermissionsBoundary",
    "DeleteUserPermissionsBoundary",
    "AttachUserPolicy",
    "DetachUserPolicy",
    "ListAttachedUserPolicies",
    "ListAttachedGroupPolicies",
    "ListGroupsForUser",
    "ListUserPolicies",
    "ListGroupPolicies",
    "GetUserPolicy",
    "GetGroupPolicy",
    "PutUserPolicy",
    "DeleteUserPolicy",
];
