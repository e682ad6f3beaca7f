//! IAM actions: dispatch and authorisation of every IAM action, and the ones about users, access
//! keys, MFA devices, roles and account aliases. Policies live in `iam_policies`, the simulator
//! in `simulate`.

use super::authz::authorize;
use super::state::{AccessKey, ApiError, ApiResult, Caller, Identity, World, random_id, random_secret};
use super::sts::{Params, Req};
use super::xml::{Body, timestamp};
use super::{iam_policies, simulate};
use mfatui_core::secret::Secret;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Quota AWS enforces on access keys per user; inactive keys count.
const MAX_KEYS: usize = 2;

/// The user an action is about: `UserName`, else the calling user.
pub(super) fn target_user(caller: &Caller, params: &Params) -> ApiResult<String> {
    match (params.get("UserName"), caller.user_name()) {
        (Some(n), _) => Ok(n.clone()),
        (None, Some(n)) => Ok(n.to_string()),
        (None, None) => Err(ApiError::validation("Must specify userName when calling with non-User credentials")),
    }
}

pub(super) fn required<'a>(params: &'a Params, name: &str) -> ApiResult<&'a String> {
    params.get(name).ok_or_else(|| {
        ApiError::validation(format!(
            "1 validation error detected: Value null at '{}' failed to satisfy constraint: Member must not be null",
            name[..1].to_ascii_lowercase() + &name[1..]
        ))
    })
}

/// RFC 3986's unreserved characters stay as they are.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// AWS returns policy documents URL-encoded (RFC 3986) inside the XML.
pub(super) fn url_encode(doc: &str) -> String {
    utf8_percent_encode(doc, UNRESERVED).to_string()
}

/// The resource an action is authorised on, as AWS names it in AccessDenied messages.
fn resource(action: &str, w: &World, req: &Req) -> String {
    let account = req.caller.account();
    let param = |k: &str| req.params.get(k).cloned();
    let user = |n: &str| format!("arn:aws:iam::{account}:user/{n}");
    let caller_or_any = || req.caller.user_name().map_or_else(|| "*".to_string(), user);
    match action {
        "GetPolicy" | "GetPolicyVersion" => param("PolicyArn").unwrap_or_else(|| "*".into()),
        "CreatePolicy" => {
            param("PolicyName").map_or_else(|| "*".into(), |n| format!("arn:aws:iam::{account}:policy/{n}"))
        }
        "SimulatePrincipalPolicy" => param("PolicySourceArn").unwrap_or_else(|| "*".into()),
        "GetRole" => param("RoleName").map_or_else(|| "*".into(), |n| format!("arn:aws:iam::{account}:role/{n}")),
        "ListAccountAliases" => "*".into(),
        "GetAccessKeyLastUsed" => {
            let owner = param("AccessKeyId").and_then(|k| w.key_owner.get(&k).cloned());
            owner.map_or_else(caller_or_any, |(acct, name)| format!("arn:aws:iam::{acct}:user/{name}"))
        }
        _ => match (param("GroupName"), param("UserName")) {
            (Some(g), _) => format!("arn:aws:iam::{account}:group/{g}"),
            (None, Some(u)) => user(&u),
            (None, None) => caller_or_any(),
        },
    }
}

/// Handle an IAM action; `None` if `action` is not one.
pub fn handle(action: &str, w: &mut World, req: &Req) -> Option<ApiResult<Option<String>>> {
    if !IAM_ACTIONS.contains(&action) {
        return None;
    }
    // GetSessionToken credentials obtained without MFA cannot call IAM at all: AWS refuses
    // them as if the token were unknown.
    if matches!(req.caller.identity, Identity::User { .. }) && req.caller.mfa() == Some(false) {
        return Some(Err(ApiError::invalid_token()));
    }
    let resource = resource(action, w, req);
    if let Err(e) = authorize(w, req.caller, &format!("iam:{action}"), &resource, req.region, req.now) {
        return Some(Err(e));
    }
    if action == "SimulatePrincipalPolicy" {
        return Some(simulate::handle(w, req).map(Some));
    }
    Some(iam_policies::handle(action, w, req).unwrap_or_else(|| users_and_keys(action, w, req)))
}

fn users_and_keys(action: &str, w: &mut World, req: &Req) -> ApiResult<Option<String>> {
    let (caller, params, now) = (req.caller, req.params, req.now);
    let account = caller.account().to_string();
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
                usable_from: now + req.new_key_delay,
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
            let (acct, name) =
                w.key_owner.get(key_id).cloned().ok_or_else(|| {
                    ApiError::no_such_entity(format!("The Access Key with id {key_id} cannot be found."))
                })?;
            let u = w.user(&acct, &name)?;
            let last = u.keys.iter().find(|k| &k.id == key_id).and_then(|k| k.last_used.clone());
            b.leaf("UserName", &name).open("AccessKeyLastUsed");
            match last {
                Some(l) => {
                    b.leaf("LastUsedDate", &timestamp(l.at)).leaf("ServiceName", &l.service).leaf("Region", &l.region)
                }
                None => b.leaf("ServiceName", "N/A").leaf("Region", "N/A"),
            };
            b.close("AccessKeyLastUsed");
        }
        "ListMFADevices" => {
            let u = w.user(&account, &target_user(caller, params)?)?;
            let devices: Vec<_> = u.mfa.iter().collect();
            b.members("MFADevices", &devices, |b, d| {
                b.leaf("UserName", &u.name).leaf("SerialNumber", &d.serial).leaf("EnableDate", &timestamp(d.enabled));
            });
            b.leaf("IsTruncated", "false");
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
    "ListUserPolicies",
    "GetUserPolicy",
    "PutUserPolicy",
    "DeleteUserPolicy",
    "ListGroupPolicies",
    "GetGroupPolicy",
    "AttachUserPolicy",
    "DetachUserPolicy",
    "SimulatePrincipalPolicy",
    "GetRole",
    "ListAccountAliases",
];

#[cfg(test)]
mod tests {
    use super::url_encode;

    #[test]
    fn policy_documents_are_encoded_like_rfc_3986() {
        assert_eq!(url_encode(r#"{"a":"b-c_d.e~f g"}"#), "%7B%22a%22%3A%22b-c_d.e~f%20g%22%7D");
    }
}
