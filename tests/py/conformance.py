"""Protocol conformance of the mfatui sandbox, run by tests/clients.rs.

1. boto3 and the AWS CLI call every STS and IAM action the sandbox serves; each response must
   parse into the fields a client needs, and error responses must surface as the same AWS error
   codes in both clients (the Rust SDK leg lives in tests/clients.rs).
2. With MOTO_URL set, the XML of every action both servers implement is compared element by
   element (structure, not values) with moto's, an independent emulator, so the sandbox's XML
   cannot drift from AWS's. Known, deliberate differences are listed below with the reason.

Environment: SANDBOX_URL, AWS_CLI (path to `aws`), optional MOTO_URL. Exit 1 on any failure.
"""
import json
import os
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

SANDBOX = os.environ["SANDBOX_URL"]
MOTO = os.environ.get("MOTO_URL")
AWS = os.environ["AWS_CLI"]
IDENTITY = "111111111111"
ALICE = ("AKIADEMOALICE0000001", "demo/alice/secret/key/0000000000000000000")
CIBOT = ("AKIADEMOCIBOT0000001", "demo/ci-bot/secret/key/00000000000000000")
CAROL = ("AKIADEMOCAROL0000001", "demo/carol/secret/key/0000000000000000000")
ALICE_SERIAL = f"arn:aws:iam::{IDENTITY}:mfa/alice-phone"
DEV_ADMIN = "arn:aws:iam::222222222222:role/dev-admin"
CFG = Config(region_name="us-east-1", retries={"max_attempts": 1, "mode": "standard"})
failures = []
checks = 0


def check(name, ok, detail=""):
    global checks
    checks += 1
    if not ok:
        failures.append(f"{name}: {detail}")
        print(f"FAIL {name}: {detail}")


def client(service, url, keys, token=None):
    return boto3.client(service, endpoint_url=url, aws_access_key_id=keys[0], aws_secret_access_key=keys[1],
                        aws_session_token=token, config=CFG)


def control(path, body=None):
    req = urllib.request.Request(SANDBOX + path, data=body, method="PUT" if body is not None else "GET")
    with urllib.request.urlopen(req) as r:
        return json.load(r)


def code(serial):
    return control("/_sandbox/totp?serial=" + urllib.parse.quote(serial))["code"]


def error_code(fn):
    try:
        fn()
    except ClientError as e:
        return e.response["Error"]["Code"]
    return None


clock_offset = 0


def set_faults(rules=(), expire=False):
    """Replace the sandbox's faults, keeping the clock where fresh_code moved it."""
    body = {"rules": list(rules), "clock_offset_secs": clock_offset + (50000 if expire else 0)}
    control("/_sandbox/faults", json.dumps(body).encode())


def fresh_code(serial, used):
    """A code not used yet: the sandbox, like AWS, accepts each code once, so rather than wait
    for the device's next 30 s window, move the sandbox clock one window on."""
    global clock_offset
    c = code(serial)
    while c in used:
        clock_offset += 30
        set_faults()
        c = code(serial)
    used.add(c)
    return c


used_codes = set()

# --- boto3 -------------------------------------------------------------------------------------
sts = client("sts", SANDBOX, ALICE)
session = sts.get_session_token(SerialNumber=ALICE_SERIAL, TokenCode=fresh_code(ALICE_SERIAL, used_codes))["Credentials"]
check("boto3 GetSessionToken", session["AccessKeyId"].startswith("ASIA") and hasattr(session["Expiration"], "year"), session)
mfa = (session["AccessKeyId"], session["SecretAccessKey"])
tok = session["SessionToken"]
sts_mfa = client("sts", SANDBOX, mfa, tok)
who = sts_mfa.get_caller_identity()
check("boto3 GetCallerIdentity", who["Account"] == IDENTITY and who["Arn"].endswith(":user/alice"), who)
role = sts_mfa.assume_role(RoleArn=DEV_ADMIN, RoleSessionName="conformance")
check("boto3 AssumeRole", role["AssumedRoleUser"]["Arn"].endswith("assumed-role/dev-admin/conformance")
      and role["Credentials"]["SessionToken"], role["AssumedRoleUser"])
rc = role["Credentials"]
iam_role = client("iam", SANDBOX, (rc["AccessKeyId"], rc["SecretAccessKey"]), rc["SessionToken"])
got_role = iam_role.get_role(RoleName="dev-admin")["Role"]
check("boto3 GetRole", got_role["Arn"] == DEV_ADMIN and isinstance(got_role["AssumeRolePolicyDocument"], dict)
      and got_role["MaxSessionDuration"] > 0, got_role)

iam = client("iam", SANDBOX, mfa, tok)
user = iam.get_user()["User"]
check("boto3 GetUser", user["UserName"] == "alice" and user["PermissionsBoundary"]["PermissionsBoundaryArn"].endswith("/MfaRequired"), user)
keys = iam.list_access_keys()["AccessKeyMetadata"]
check("boto3 ListAccessKeys", [k["AccessKeyId"] for k in keys] == [ALICE[0]], keys)
new = iam.create_access_key()["AccessKey"]
check("boto3 CreateAccessKey", new["AccessKeyId"].startswith("AKIA") and len(new["SecretAccessKey"]) == 40, new["AccessKeyId"])
iam.update_access_key(AccessKeyId=new["AccessKeyId"], Status="Inactive")
statuses = {k["AccessKeyId"]: k["Status"] for k in iam.list_access_keys()["AccessKeyMetadata"]}
check("boto3 UpdateAccessKey", statuses.get(new["AccessKeyId"]) == "Inactive", statuses)
check("boto3 LimitExceeded", error_code(lambda: iam.create_access_key()) == "LimitExceeded")
last = iam.get_access_key_last_used(AccessKeyId=ALICE[0])
check("boto3 GetAccessKeyLastUsed", last["UserName"] == "alice" and last["AccessKeyLastUsed"]["ServiceName"] == "sts"
      and hasattr(last["AccessKeyLastUsed"]["LastUsedDate"], "year"), last)
iam.delete_access_key(AccessKeyId=new["AccessKeyId"])
check("boto3 DeleteAccessKey", len(iam.list_access_keys()["AccessKeyMetadata"]) == 1)
devices = iam.list_mfa_devices()["MFADevices"]
check("boto3 ListMFADevices", [d["SerialNumber"] for d in devices] == [ALICE_SERIAL], devices)
doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
pol = iam.create_policy(PolicyName="ConformanceTest", PolicyDocument=json.dumps(doc))["Policy"]
check("boto3 CreatePolicy", pol["Arn"] == f"arn:aws:iam::{IDENTITY}:policy/ConformanceTest", pol)
check("boto3 GetPolicy", iam.get_policy(PolicyArn=pol["Arn"])["Policy"]["DefaultVersionId"] == "v1")
version = iam.get_policy_version(PolicyArn=pol["Arn"], VersionId="v1")["PolicyVersion"]
check("boto3 GetPolicyVersion (URL-encoded document decoded by the client)", version["Document"] == doc, version["Document"])
iam.put_user_permissions_boundary(UserName="ci-bot", PermissionsBoundary=pol["Arn"])
check("boto3 PutUserPermissionsBoundary", iam.get_user(UserName="ci-bot")["User"].get("PermissionsBoundary", {}).get("PermissionsBoundaryArn") == pol["Arn"])
iam.delete_user_permissions_boundary(UserName="ci-bot")
check("boto3 DeleteUserPermissionsBoundary", "PermissionsBoundary" not in iam.get_user(UserName="ci-bot")["User"])
check("boto3 ListAttachedUserPolicies", iam.list_attached_user_policies(UserName="alice")["AttachedPolicies"] == [])
groups = iam.list_groups_for_user(UserName="alice")["Groups"]
check("boto3 ListGroupsForUser", [g["GroupName"] for g in groups] == ["engineers"], groups)
gp = iam.list_attached_group_policies(GroupName="engineers")["AttachedPolicies"]
check("boto3 ListAttachedGroupPolicies", [p["PolicyName"] for p in gp] == ["SelfService"], gp)
names = iam.list_user_policies(UserName="alice")
check("boto3 ListUserPolicies", names["PolicyNames"] == ["AdministerIdentityAccount"] and names["IsTruncated"] is False, names)
admin = iam.get_user_policy(UserName="alice", PolicyName="AdministerIdentityAccount")
check("boto3 GetUserPolicy (URL-encoded document decoded by the client)",
      admin["UserName"] == "alice" and admin["PolicyDocument"]["Statement"][0]["Action"] == "iam:*", admin)
iam.put_user_policy(UserName="bob", PolicyName="Conformance", PolicyDocument=json.dumps(doc))
check("boto3 PutUserPolicy", iam.get_user_policy(UserName="bob", PolicyName="Conformance")["PolicyDocument"] == doc)
iam.delete_user_policy(UserName="bob", PolicyName="Conformance")
check("boto3 DeleteUserPolicy", iam.list_user_policies(UserName="bob")["PolicyNames"] == [])
check("boto3 ListGroupPolicies", iam.list_group_policies(GroupName="engineers")["PolicyNames"] == ["AssumeRoles"])
ggp = iam.get_group_policy(GroupName="engineers", PolicyName="AssumeRoles")
check("boto3 GetGroupPolicy", ggp["GroupName"] == "engineers" and ggp["PolicyDocument"]["Statement"][0]["Action"] == "sts:AssumeRole", ggp)
iam.attach_user_policy(UserName="ci-bot", PolicyArn=pol["Arn"])
attached = iam.list_attached_user_policies(UserName="ci-bot")["AttachedPolicies"]
check("boto3 AttachUserPolicy", [p["PolicyArn"] for p in attached] == [pol["Arn"]], attached)
iam.detach_user_policy(UserName="ci-bot", PolicyArn=pol["Arn"])
check("boto3 DetachUserPolicy", iam.list_attached_user_policies(UserName="ci-bot")["AttachedPolicies"] == [])
MFA_FALSE = [{"ContextKeyName": "aws:MultiFactorAuthPresent", "ContextKeyType": "boolean", "ContextKeyValues": ["false"]}]


def simulate(**context):
    return iam.simulate_principal_policy(PolicySourceArn=f"arn:aws:iam::{IDENTITY}:user/bob", ActionNames=["sts:AssumeRole"],
                                         ResourceArns=[DEV_ADMIN], **context)["EvaluationResults"][0]


absent, false = simulate(), simulate(ContextEntries=MFA_FALSE)
check("boto3 SimulatePrincipalPolicy (key absent: bob's Bool boundary lets it through)",
      absent["EvalDecision"] == "allowed" and absent["MatchedStatements"][0]["SourcePolicyType"] == "group"
      and absent["PermissionsBoundaryDecisionDetail"]["AllowedByPermissionsBoundary"] is True
      and absent["ResourceSpecificResults"][0]["MissingContextValues"] == ["aws:MultiFactorAuthPresent"], absent)
check("boto3 SimulatePrincipalPolicy (key false: denied)",
      false["EvalDecision"] == "explicitDeny" and false["PermissionsBoundaryDecisionDetail"]["AllowedByPermissionsBoundary"] is False, false)
try:
    client("iam", SANDBOX, CAROL).list_access_keys()
    denied = ""
except ClientError as e:
    denied = e.response["Error"]["Message"]
check("boto3 AccessDenied names the policy type", denied.endswith("with an explicit deny in an identity-based policy"), denied)

# Errors, as boto3 sees them.
boto_errors = {
    "wrong MFA code": error_code(lambda: sts.get_session_token(SerialNumber=ALICE_SERIAL, TokenCode="000000" if code(ALICE_SERIAL) != "000000" else "111111")),
    "unknown key": error_code(lambda: client("sts", SANDBOX, ("AKIANOSUCHKEY0000000", "x")).get_caller_identity()),
    "no such user": error_code(lambda: iam.get_user(UserName="nobody")),
    "boundary without MFA": error_code(lambda: sts.assume_role(RoleArn=DEV_ADMIN, RoleSessionName="xx")),
    # botocore checks the length itself; a space is only caught by the service's pattern.
    "bad session name": error_code(lambda: sts_mfa.assume_role(RoleArn=DEV_ADMIN, RoleSessionName="bad name")),
    "identity policy deny": error_code(lambda: client("iam", SANDBOX, CAROL).list_access_keys()),
}
set_faults([{"action": "GetCallerIdentity", "effect": "throttle"}])
boto_errors["throttled"] = error_code(lambda: sts_mfa.get_caller_identity())
set_faults(expire=True)
boto_errors["expired"] = error_code(lambda: sts_mfa.get_caller_identity())
set_faults()
expected_errors = {
    "wrong MFA code": "AccessDenied", "unknown key": "InvalidClientTokenId", "no such user": "NoSuchEntity",
    "boundary without MFA": "AccessDenied", "bad session name": "ValidationError", "throttled": "Throttling",
    "expired": "ExpiredToken", "identity policy deny": "AccessDenied",
}
for k, want in expected_errors.items():
    check(f"boto3 error: {k}", boto_errors[k] == want, f"got {boto_errors[k]}, want {want}")

# --- AWS CLI -----------------------------------------------------------------------------------
home = tempfile.mkdtemp(prefix="mfatui-cli-")


def cli(args, keys, token=None):
    env = {"PATH": os.environ["PATH"], "HOME": home, "AWS_ENDPOINT_URL": SANDBOX, "AWS_DEFAULT_REGION": "us-east-1",
           "AWS_ACCESS_KEY_ID": keys[0], "AWS_SECRET_ACCESS_KEY": keys[1], "AWS_MAX_ATTEMPTS": "1"}
    if token:
        env["AWS_SESSION_TOKEN"] = token
    p = subprocess.run([AWS, *args, "--output", "json"], env=env, capture_output=True, text=True)
    if p.returncode == 0:
        return json.loads(p.stdout) if p.stdout.strip() else {}, None
    err = p.stderr.split("An error occurred (")[1].split(")")[0] if "An error occurred (" in p.stderr else p.stderr.strip()
    return None, err


out, err = cli(["sts", "get-session-token", "--serial-number", ALICE_SERIAL, "--token-code", fresh_code(ALICE_SERIAL, used_codes)], ALICE)
check("cli get-session-token", out and out["Credentials"]["AccessKeyId"].startswith("ASIA"), err)
c = out["Credentials"]
cmfa, ctok = (c["AccessKeyId"], c["SecretAccessKey"]), c["SessionToken"]
cli_cases = [
    (["sts", "get-caller-identity"], lambda o: o["Account"] == IDENTITY),
    (["sts", "assume-role", "--role-arn", DEV_ADMIN, "--role-session-name", "cli"], lambda o: o["AssumedRoleUser"]["Arn"].endswith("/cli")),
    (["iam", "get-user"], lambda o: o["User"]["UserName"] == "alice"),
    (["iam", "list-access-keys"], lambda o: o["AccessKeyMetadata"][0]["AccessKeyId"] == ALICE[0]),
    (["iam", "get-access-key-last-used", "--access-key-id", ALICE[0]], lambda o: o["UserName"] == "alice"),
    (["iam", "list-mfa-devices"], lambda o: o["MFADevices"][0]["SerialNumber"] == ALICE_SERIAL),
    (["iam", "get-policy", "--policy-arn", pol["Arn"]], lambda o: o["Policy"]["PolicyName"] == "ConformanceTest"),
    (["iam", "get-policy-version", "--policy-arn", pol["Arn"], "--version-id", "v1"], lambda o: o["PolicyVersion"]["Document"] == doc),
    (["iam", "list-attached-user-policies", "--user-name", "alice"], lambda o: o["AttachedPolicies"] == []),
    (["iam", "list-groups-for-user", "--user-name", "alice"], lambda o: o["Groups"][0]["GroupName"] == "engineers"),
    (["iam", "list-attached-group-policies", "--group-name", "engineers"], lambda o: o["AttachedPolicies"][0]["PolicyName"] == "SelfService"),
    (["iam", "put-user-permissions-boundary", "--user-name", "ci-bot", "--permissions-boundary", pol["Arn"]], lambda o: o == {}),
    (["iam", "delete-user-permissions-boundary", "--user-name", "ci-bot"], lambda o: o == {}),
    (["iam", "create-policy", "--policy-name", "CliPolicy", "--policy-document", json.dumps(doc)], lambda o: o["Policy"]["Arn"].endswith("/CliPolicy")),
    (["iam", "list-user-policies", "--user-name", "alice"], lambda o: o["PolicyNames"] == ["AdministerIdentityAccount"]),
    (["iam", "put-user-policy", "--user-name", "bob", "--policy-name", "Cli", "--policy-document", json.dumps(doc)], lambda o: o == {}),
    (["iam", "get-user-policy", "--user-name", "bob", "--policy-name", "Cli"], lambda o: o["PolicyDocument"] == doc),
    (["iam", "delete-user-policy", "--user-name", "bob", "--policy-name", "Cli"], lambda o: o == {}),
    (["iam", "list-group-policies", "--group-name", "engineers"], lambda o: o["PolicyNames"] == ["AssumeRoles"]),
    (["iam", "get-group-policy", "--group-name", "engineers", "--policy-name", "AssumeRoles"], lambda o: o["PolicyDocument"]["Statement"][0]["Action"] == "sts:AssumeRole"),
    (["iam", "attach-user-policy", "--user-name", "ci-bot", "--policy-arn", pol["Arn"]], lambda o: o == {}),
    (["iam", "detach-user-policy", "--user-name", "ci-bot", "--policy-arn", pol["Arn"]], lambda o: o == {}),
    (["iam", "simulate-principal-policy", "--policy-source-arn", f"arn:aws:iam::{IDENTITY}:user/bob", "--action-names", "sts:AssumeRole",
      "--resource-arns", DEV_ADMIN, "--context-entries", "ContextKeyName=aws:MultiFactorAuthPresent,ContextKeyValues=false,ContextKeyType=boolean"],
     lambda o: o["EvaluationResults"][0]["EvalDecision"] == "explicitDeny"),
]
for args, ok in cli_cases:
    out, err = cli(args, cmfa, ctok)
    check("cli " + " ".join(args[:2]), out is not None and ok(out), err or out)
out, err = cli(["iam", "create-access-key"], cmfa, ctok)
check("cli iam create-access-key", out and len(out["AccessKey"]["SecretAccessKey"]) == 40, err)
kid = out["AccessKey"]["AccessKeyId"]
for args in (["iam", "update-access-key", "--access-key-id", kid, "--status", "Inactive"], ["iam", "delete-access-key", "--access-key-id", kid]):
    out, err = cli(args, cmfa, ctok)
    check("cli " + " ".join(args[:2]), out == {}, err)
r = json.loads(subprocess.run([AWS, "sts", "assume-role", "--role-arn", DEV_ADMIN, "--role-session-name", "cli2", "--output", "json"],
               env={"PATH": os.environ["PATH"], "HOME": home, "AWS_ENDPOINT_URL": SANDBOX, "AWS_DEFAULT_REGION": "us-east-1",
                    "AWS_ACCESS_KEY_ID": cmfa[0], "AWS_SECRET_ACCESS_KEY": cmfa[1], "AWS_SESSION_TOKEN": ctok},
               capture_output=True, text=True, check=True).stdout)["Credentials"]
out, err = cli(["iam", "get-role", "--role-name", "dev-admin"], (r["AccessKeyId"], r["SecretAccessKey"]), r["SessionToken"])
check("cli iam get-role", out and out["Role"]["Arn"] == DEV_ADMIN, err)

cli_errors = {
    "wrong MFA code": cli(["sts", "get-session-token", "--serial-number", ALICE_SERIAL, "--token-code",
                           "000000" if code(ALICE_SERIAL) != "000000" else "111111"], ALICE)[1],
    "unknown key": cli(["sts", "get-caller-identity"], ("AKIANOSUCHKEY0000000", "x"))[1],
    "no such user": cli(["iam", "get-user", "--user-name", "nobody"], cmfa, ctok)[1],
    "boundary without MFA": cli(["sts", "assume-role", "--role-arn", DEV_ADMIN, "--role-session-name", "x1"], ALICE)[1],
    "bad session name": cli(["sts", "assume-role", "--role-arn", DEV_ADMIN, "--role-session-name", "bad name"], cmfa, ctok)[1],
    "identity policy deny": cli(["iam", "list-access-keys"], CAROL)[1],
}
set_faults([{"action": "GetCallerIdentity", "effect": "throttle"}])
cli_errors["throttled"] = cli(["sts", "get-caller-identity"], cmfa, ctok)[1]
set_faults(expire=True)
cli_errors["expired"] = cli(["sts", "get-caller-identity"], cmfa, ctok)[1]
set_faults()
for k, want in expected_errors.items():
    check(f"cli error: {k}", cli_errors[k] == want, f"got {cli_errors[k]}, want {want}")

# --- shapes against moto -------------------------------------------------------------------------
# Differences that are deliberate, with the reason; anything else fails.
ONLY_IN_MOTO = {
    # moto adds these to every user/role/policy; AWS returns them only when set (tags) or
    # only for console users (PasswordLastUsed), and mfatui never reads them.
    "GetUser": {"User/Tags", "User/Tags/member", "User/Tags/member/Key", "User/Tags/member/Value", "User/PasswordLastUsed"},
    "GetRole": {"Role/Description", "Role/Tags", "Role/Tags/member", "Role/Tags/member/Key", "Role/Tags/member/Value",
                "Role/RoleLastUsed", "Role/RoleLastUsed/LastUsedDate", "Role/RoleLastUsed/Region"},
    "GetPolicy": {"Policy/Description", "Policy/Tags"},
    "CreatePolicy": {"Policy/Description", "Policy/Tags"},
    # AWS includes PackedPolicySize only when a session policy is passed; moto always does.
    "AssumeRole": {"PackedPolicySize", "SourceIdentity"},
}
ONLY_IN_SANDBOX = {
    # AWS documents IsTruncated for ListGroupPolicies as for ListUserPolicies; moto leaves it out.
    "ListGroupPolicies": {"IsTruncated"},
    # AWS's documented ListAccessKeys response carries both; moto leaves them out.
    "ListAccessKeys": {"UserName", "IsTruncated"},
    # Likewise IsTruncated in ListAccountAliases.
    "ListAccountAliases": {"IsTruncated"},
    # moto does not report boundaries (it cannot set them: PutUserPermissionsBoundary is a 500).
    "GetUser": {"User/PermissionsBoundary", "User/PermissionsBoundary/PermissionsBoundaryType",
                "User/PermissionsBoundary/PermissionsBoundaryArn"},
    # moto omits these though AWS documents them for every policy.
    "GetPolicy": {"Policy/PermissionsBoundaryUsageCount", "Policy/UpdateDate"},
    "CreatePolicy": {"Policy/PermissionsBoundaryUsageCount", "Policy/UpdateDate"},
}


def shape(xml_bytes):
    root = ET.fromstring(xml_bytes)
    strip = lambda t: t.split("}", 1)[-1]
    result = next((c for c in root if strip(c.tag).endswith("Result")), None)
    paths = set()

    def walk(el, prefix):
        for ch in el:
            p = f"{prefix}/{strip(ch.tag)}" if prefix else strip(ch.tag)
            paths.add(p)
            walk(ch, p)
    if result is not None:
        walk(result, "")
    return paths


def shape_run(url, long_term, serial, token_code, role_arn):
    """The same sequence of calls against one server. Returns the raw XML of each action and an
    IAM client for the error-envelope check."""
    seen = {}

    def cap(c):
        c.meta.events.register("after-call", lambda http_response, model, **kw: seen.__setitem__(model.name, http_response.content))
        return c

    st = cap(client("sts", url, long_term)).get_session_token(SerialNumber=serial, TokenCode=token_code)["Credentials"]
    session = ((st["AccessKeyId"], st["SecretAccessKey"]), st["SessionToken"])
    s_sts = cap(client("sts", url, *session))
    s_sts.get_caller_identity()
    rc = s_sts.assume_role(RoleArn=role_arn, RoleSessionName="conformance")["Credentials"]
    i = cap(client("iam", url, *session))
    i.get_user(UserName="alice")
    i.list_access_keys(UserName="alice")
    i.get_access_key_last_used(AccessKeyId=long_term[0])
    i.list_mfa_devices(UserName="alice")
    new_policy = i.create_policy(PolicyName="ShapeTest", PolicyDocument=json.dumps(doc))["Policy"]["Arn"]
    i.get_policy(PolicyArn=new_policy)
    i.get_policy_version(PolicyArn=new_policy, VersionId="v1")
    i.list_groups_for_user(UserName="alice")
    i.list_attached_group_policies(GroupName="engineers")
    i.list_attached_user_policies(UserName="alice")
    i.list_account_aliases()
    i.put_user_policy(UserName="alice", PolicyName="ShapeInline", PolicyDocument=json.dumps(doc))
    i.list_user_policies(UserName="alice")
    i.get_user_policy(UserName="alice", PolicyName="ShapeInline")
    i.delete_user_policy(UserName="alice", PolicyName="ShapeInline")
    i.list_group_policies(GroupName="engineers")
    i.get_group_policy(GroupName="engineers", PolicyName="AssumeRoles")
    i.attach_user_policy(UserName="alice", PolicyArn=new_policy)
    i.detach_user_policy(UserName="alice", PolicyArn=new_policy)
    # SimulatePrincipalPolicy is not compared: moto 5.2.1 does not implement it (HTTP 500).
    cap(client("iam", url, (rc["AccessKeyId"], rc["SecretAccessKey"]), rc["SessionToken"])).get_role(RoleName="dev-admin")
    nk = i.create_access_key(UserName="alice")["AccessKey"]["AccessKeyId"]
    i.update_access_key(UserName="alice", AccessKeyId=nk, Status="Inactive")
    i.delete_access_key(UserName="alice", AccessKeyId=nk)
    return seen, i


if MOTO:
    # moto has no seed: build the same world through its API (it accepts any credentials).
    m_iam = client("iam", MOTO, ("AKIAMOTO000000000001", "moto-secret"))
    m_iam.create_user(UserName="alice")
    mk = m_iam.create_access_key(UserName="alice")["AccessKey"]
    m_iam.create_group(GroupName="engineers")
    m_pol = m_iam.create_policy(PolicyName="SelfService", PolicyDocument=json.dumps(doc))["Policy"]["Arn"]
    m_iam.attach_group_policy(GroupName="engineers", PolicyArn=m_pol)
    m_iam.add_user_to_group(GroupName="engineers", UserName="alice")
    m_iam.put_group_policy(GroupName="engineers", PolicyName="AssumeRoles", PolicyDocument=json.dumps(doc))
    vmfa = m_iam.create_virtual_mfa_device(VirtualMFADeviceName="alice-phone")["VirtualMFADevice"]["SerialNumber"]
    m_iam.enable_mfa_device(UserName="alice", SerialNumber=vmfa, AuthenticationCode1="123456", AuthenticationCode2="654321")
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}
    m_role = m_iam.create_role(RoleName="dev-admin", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    m_iam.create_account_alias(AccountAlias="identity")

    moto_xml, m_i = shape_run(MOTO, (mk["AccessKeyId"], mk["SecretAccessKey"]), vmfa, "123456", m_role)
    sandbox_xml, s_i = shape_run(SANDBOX, ALICE, ALICE_SERIAL, fresh_code(ALICE_SERIAL, used_codes), DEV_ADMIN)

    compared = 0
    for action in sorted(moto_xml):
        if action not in sandbox_xml:
            continue
        compared += 1
        theirs, ours = shape(moto_xml[action]), shape(sandbox_xml[action])
        missing = theirs - ours - ONLY_IN_MOTO.get(action, set())
        extra = ours - theirs - ONLY_IN_SANDBOX.get(action, set())
        check(f"shape {action}", not missing and not extra, f"missing {sorted(missing)}, extra {sorted(extra)}")
        # Error envelopes: same structure in both.
    error_code(lambda: m_i.get_user(UserName="nobody"))
    error_code(lambda: s_i.get_user(UserName="nobody"))
    m_err, s_err = moto_xml, sandbox_xml  # the failed GetUser replaced the successful one
    strip_ns = lambda b: {e.tag.split("}", 1)[-1] for e in ET.fromstring(b).iter()}
    # moto repeats the message in a lower-case <message> element that AWS does not send.
    theirs = strip_ns(m_err["GetUser"]) - {"message"}
    check("shape error envelope", theirs == strip_ns(s_err["GetUser"]), f"{theirs} vs {strip_ns(s_err['GetUser'])}")
    check("shapes compared", compared >= 26, f"only {compared} actions compared")
    print(f"compared {compared} action shapes with moto")

stats = control("/_sandbox/stats")
check("call counters over HTTP", stats.get("ListUserPolicies", 0) >= 4 and stats.get("SimulatePrincipalPolicy", 0) >= 3, stats)
print(f"conformance: {checks - len(failures)} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
