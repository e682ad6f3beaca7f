//! IAM actions: users, access keys, MFA devices, policies, boundaries, groups, roles.

use super::authz::check_boundary;
use super::state::{AccessKey, ApiError, ApiResult, Caller, Policy, World, random_id, random_secret};
use super::sts::Params;
use super::xml::{Body, timestamp};
use crate::aws::secret::Secret;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};

/// Quota AWS enforces on access keys per user.
const MAX_KEYS: usize = 2;

/// The user an action is about: `UserName`, else the calling user.
fn target_user(caller: &Caller, params: &Params) -> ApiResult<String> {
    match (params.get("UserName"), caller.user_name()) {
        (Some(n), _) => Ok(n.clone()),
        (None, Some(n)) => Ok(n.to_string()),
        (None, None) => Err(ApiError::validation("Must specify userName when calling with non-User credentials")),
    }
}

fn required<'a>(params: &'a Params, name: &str) -> ApiResult<&'a String> {
    params.get(name).ok_or_else(|| {
        ApiError::validation(format!(
            "1 validation error detected: Value null at '{}' failed to satisfy constraint: Member must not be null",
            name[..1].to_ascii_lowercase() + &name[1..]
        ))
    })
}

/// AWS returns policy documents URL-encoded inside the XML.
fn url_encode(doc: &str) -> String {
    utf8_percent_encode(doc, NON_ALPHANUMERIC).to_string()
}

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

/// Handle an IAM action; `None` if `action` is not one.
pub fn handle(
    action: &str,
    w: &mut World,
    caller: &Caller,
    params: &Params,
    now: i64,
) -> Option<ApiResult<Option<String>>> {
    let account = caller.account().to_string();
    let run = || -> ApiResult<Option<String>> {
        let resource = params.get("UserName").map_or("*".to_string(), |u| format!("arn:aws:iam::{account}:user/{u}"));
        check_boundary(w, caller, &format!("iam:{action}"), &resource)?;
        let mut b = Body::default();
        match action {
            "GetUser" => {
                let u = w.user(&account, &target_user(caller, params)?)?;
                b.open("User").leaf("Path", "/").leaf("UserName", &u.name).leaf("UserId", &u.id).leaf("Arn", &u.arn());
                b.leaf("CreateDate", &timestamp(u.created));
                if let Some(arn) = &u.boundary {
                    b.open("PermissionsBoundary")
                        .leaf("PermissionsBoundaryType", "Policy")
                        .leaf("PermissionsBoundaryArn", arn)
                        .close("PermissionsBoundary");
                }
                b.close("User");
            }
            "ListAccessKeys" => {
                let u = w.user(&account, &target_user(caller, params)?)?;
                b.members("AccessKeyMetadata", &u.keys, |b, k| {
                    b.leaf("UserName", &u.name)
                        .leaf("AccessKeyId", &k.id)
                        .leaf("Status", if k.active { "Active" } else { "Inactive" })
                        .leaf("CreateDate", &timestamp(k.created));
                });
                b.leaf("IsTruncated", "false").leaf("UserName", &u.name);
            }
            "CreateAccessKey" => {
                let name = target_user(caller, params)?;
                let u = w.user_mut(&account, &name)?;
                if u.keys.len() >= MAX_KEYS {
                    return Err(ApiError::new(409, "LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2"));
                }
                let key = AccessKey {
                    id: random_id("AKIA", 16),
                    secret: Secret::new(random_secret(40)),
                    active: true,
                    created: now,
                    last_used: None,
                };
                b.open("AccessKey")
                    .leaf("UserName", &name)
                    .leaf("AccessKeyId", &key.id)
                    .leaf("Status", "Active")
                    .leaf("SecretAccessKey", key.secret.expose())
                    .leaf("CreateDate", &timestamp(now))
                    .close("AccessKey");
                let id = key.id.clone();
                u.keys.push(key);
                w.key_owner.insert(id, (account.clone(), name));
            }
            "UpdateAccessKey" | "DeleteAccessKey" => {
                let name = target_user(caller, params)?;
                let key_id = required(params, "AccessKeyId")?.clone();
                let u = w.user_mut(&account, &name)?;
                let missing = || ApiError::no_such_entity(format!("The Access Key with id {key_id} cannot be found."));
                let idx = u.keys.iter().position(|k| k.id == key_id).ok_or_else(missing)?;
                if action == "DeleteAccessKey" {
                    u.keys.remove(idx);
                    w.key_owner.remove(&key_id);
                } else {
                    u.keys[idx].active = match required(params, "Status")?.as_str() {
                        "Active" => true,
                        "Inactive" => false,
                        other => {
                            return Err(ApiError::validation(format!(
                                "1 validation error detected: Value '{other}' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]"
                            )));
                        }
                    };
                }
                return Ok(None);
            }
            "GetAccessKeyLastUsed" => {
                let key_id = required(params, "AccessKeyId")?;
                let (acct, name) = w.key_owner.get(key_id).cloned().ok_or_else(|| {
                    ApiError::no_such_entity(format!("The Access Key with id {key_id} cannot be found."))
                })?;
                let u = w.user(&acct, &name)?;
                let last = u.keys.iter().find(|k| &k.id == key_id).and_then(|k| k.last_used.clone());
                b.leaf("UserName", &name).open("AccessKeyLastUsed");
                match last {
                    Some(l) => b
                        .leaf("LastUsedDate", &timestamp(l.at))
                        .leaf("ServiceName", &l.service)
                        .leaf("Region", &l.region),
                    None => b.leaf("ServiceName", "N/A").leaf("Region", "N/A"),
                };
                b.close("AccessKeyLastUsed");
            }
            "ListMFADevices" => {
                let u = w.user(&account, &target_user(caller, params)?)?;
                let devices: Vec<_> = u.mfa.iter().collect();
                b.members("MFADevices", &devices, |b, d| {
                    b.leaf("UserName", &u.name)
                        .leaf("SerialNumber", &d.serial)
                        .leaf("EnableDate", &timestamp(d.enabled));
                });
                b.leaf("IsTruncated", "false");
            }
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
                if serde_json::from_str::<serde_json::Value>(doc).is_err() {
                    return Err(ApiError::new(400, "MalformedPolicyDocument", "Syntax errors in policy."));
                }
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
            "ListAttachedUserPolicies" => {
                let u = w.user(&account, &target_user(caller, params)?)?;
                attached(&mut b, w, &u.attached);
            }
            "ListGroupsForUser" => {
                let u = w.user(&account, &target_user(caller, params)?)?;
                let groups: Vec<_> =
                    u.groups.iter().filter_map(|g| w.groups.get(&(account.clone(), g.clone()))).collect();
                b.members("Groups", &groups, |b, g| {
                    b.leaf("Path", "/")
                        .leaf("GroupName", &g.name)
                        .leaf("GroupId", &g.id)
                        .leaf("Arn", &format!("arn:aws:iam::{}:group/{}", g.account, g.name))
                        .leaf("CreateDate", &timestamp(g.created));
                });
                b.leaf("IsTruncated", "false");
            }
            "ListAttachedGroupPolicies" => {
                let name = required(params, "GroupName")?;
                let g = w
                    .groups
                    .get(&(account.clone(), name.clone()))
                    .ok_or_else(|| ApiError::no_such_entity(format!("The group with name {name} cannot be found.")))?;
                attached(&mut b, w, &g.attached);
            }
            "ListAccountAliases" => {
                let aliases: Vec<String> = w.accounts.get(&account).cloned().flatten().into_iter().collect();
                b.members("AccountAliases", &aliases, |b, a| {
                    b.text(a);
                });
                b.leaf("IsTruncated", "false");
            }
            "GetRole" => {
                let name = required(params, "RoleName")?;
                let r = w
                    .roles
                    .get(&format!("arn:aws:iam::{account}:role/{name}"))
                    .ok_or_else(|| ApiError::no_such_entity(format!("The role with name {name} cannot be found.")))?;
                b.open("Role")
                    .leaf("Path", "/")
                    .leaf("RoleName", &r.name)
                    .leaf("RoleId", &r.id)
                    .leaf("Arn", &r.arn())
                    .leaf("CreateDate", &timestamp(r.created))
                    .leaf("AssumeRolePolicyDocument", &url_encode(&r.trust_document()))
                    .leaf("MaxSessionDuration", &r.max_session.to_string())
                    .close("Role");
            }
            other => return Err(ApiError::new(400, "InvalidAction", format!("Could not find operation {other}"))),
        }
        Ok(Some(b.into_string()))
    };
    IAM_ACTIONS.contains(&action).then(run)
}

pub const IAM_ACTIONS: &[&str] = &[
    "GetUser",
    "ListAccessKeys",
    "CreateAccessKey",
    "UpdateAccessKey",
    "DeleteAccessKey",
    "GetAccessKeyLastUsed",
    "ListMFADevices",
    "GetPolicy",
    "GetPolicyVersion",
    "CreatePolicy",
    "PutUserPermissionsBoundary",
    "DeleteUserPermissionsBoundary",
    "ListAttachedUserPolicies",
    "ListGroupsForUser",
    "ListAttachedGroupPolicies",
    "GetRole",
    "ListAccountAliases",
];
