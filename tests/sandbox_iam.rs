//! The sandbox's IAM policy actions, policy simulator, access-key bookkeeping (last used, quota,
//! eventual consistency), faults at every rotation step and call counters, through aws-sdk-iam
//! on the demo world.

use aws_sdk_iam::config::http::HttpResponse;
use aws_sdk_iam::config::retry::RetryConfig;
use aws_sdk_iam::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_iam::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_iam::types::{ContextEntry, ContextKeyTypeEnum, EvaluationResult, PolicyEvaluationDecisionType};
use mfatui::aws::secret::Secret;
use mfatui::aws::sts::{self, AwsError, Keys, Target};
use mfatui::sandbox::demo_world::{self, IDENTITY};
use mfatui::sandbox::{self, Effect, FaultConfig, FaultRule, SandboxHandle};

fn keys(user: &str) -> Keys {
    let u = demo_world::USERS.iter().find(|u| u.name == user).unwrap();
    Keys { access_key_id: u.key_id.into(), secret_access_key: Secret::new(u.secret), session_token: None }
}

fn iam(h: &SandboxHandle, k: &Keys) -> aws_sdk_iam::Client {
    let token = k.session_token.as_ref().map(|t| t.expose().to_string());
    let creds = Credentials::new(&k.access_key_id, k.secret_access_key.expose(), token, None, "test");
    let conf = aws_sdk_iam::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(creds)
        .endpoint_url(h.endpoint())
        // Faults must reach the test, not be retried away.
        .retry_config(RetryConfig::disabled())
        .build();
    aws_sdk_iam::Client::from_conf(conf)
}

async fn demo() -> (SandboxHandle, Target) {
    let h = sandbox::start(&demo_world::seed(), 0).await.unwrap();
    let t = Target::at("us-east-1", Some(h.endpoint()));
    (h, t)
}

async fn mfa_session(h: &SandboxHandle, t: &Target, user: &str) -> Keys {
    let serial = format!("arn:aws:iam::{IDENTITY}:mfa/{user}-phone");
    let code = h.totp_code(&serial).unwrap();
    sts::get_session_token(t, &keys(user), Some((&serial, &code)), None).await.unwrap().keys
}

fn code<E: ProvideErrorMetadata>(e: SdkError<E, HttpResponse>) -> String {
    e.code().unwrap_or_default().to_string()
}

fn decode(doc: &str) -> serde_json::Value {
    serde_json::from_str(&percent_encoding::percent_decode_str(doc).decode_utf8().unwrap()).unwrap()
}

#[tokio::test]
async fn inline_and_attached_policy_actions() {
    let (h, t) = demo().await;
    let alice = iam(&h, &mfa_session(&h, &t, "alice").await);
    let names = alice.list_user_policies().user_name("alice").send().await.unwrap();
    assert_eq!((names.policy_names, names.is_truncated), (vec!["AdministerIdentityAccount".to_string()], false));
    let got = alice.get_user_policy().user_name("alice").policy_name("AdministerIdentityAccount").send().await.unwrap();
    assert_eq!(got.user_name, "alice");
    let raw = got.policy_document;
    assert!(raw.starts_with("%7B%22"), "URL-encoded as AWS does: {raw}");
    assert_eq!(decode(&raw)["Statement"][0]["Action"], "iam:*");
    let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;
    alice.put_user_policy().user_name("bob").policy_name("Reads").policy_document(doc).send().await.unwrap();
    let back = alice.get_user_policy().user_name("bob").policy_name("Reads").send().await.unwrap();
    assert_eq!(percent_encoding::percent_decode_str(&back.policy_document).decode_utf8().unwrap(), doc);
    assert_eq!(alice.list_user_policies().user_name("bob").send().await.unwrap().policy_names, ["Reads"]);
    let bad = alice.put_user_policy().user_name("bob").policy_name("Bad").policy_document("{nope").send().await;
    assert_eq!(code(bad.unwrap_err()), "MalformedPolicyDocument");
    alice.delete_user_policy().user_name("bob").policy_name("Reads").send().await.unwrap();
    assert!(alice.list_user_policies().user_name("bob").send().await.unwrap().policy_names.is_empty());
    let gone = alice.delete_user_policy().user_name("bob").policy_name("Reads").send().await.unwrap_err();
    assert_eq!(code(gone), "NoSuchEntity");
    let missing = alice.get_user_policy().user_name("bob").policy_name("Reads").send().await.unwrap_err();
    assert_eq!(code(missing), "NoSuchEntity");

    assert_eq!(alice.list_group_policies().group_name("engineers").send().await.unwrap().policy_names, ["AssumeRoles"]);
    let g = alice.get_group_policy().group_name("engineers").policy_name("AssumeRoles").send().await.unwrap();
    assert_eq!(
        (g.group_name.as_str(), decode(&g.policy_document)["Statement"][0]["Action"].as_str()),
        ("engineers", Some("sts:AssumeRole"))
    );
    let e = alice.get_group_policy().group_name("nobody").policy_name("x").send().await.unwrap_err();
    assert_eq!(code(e), "NoSuchEntity");

    let self_service = format!("arn:aws:iam::{IDENTITY}:policy/SelfService");
    alice.attach_user_policy().user_name("ci-bot").policy_arn(&self_service).send().await.unwrap();
    let attached = alice.list_attached_user_policies().user_name("ci-bot").send().await.unwrap();
    let arns: Vec<_> = attached.attached_policies().iter().filter_map(|p| p.policy_arn.clone()).collect();
    assert_eq!(arns, [self_service.as_str()]);
    alice.detach_user_policy().user_name("ci-bot").policy_arn(&self_service).send().await.unwrap();
    let again = alice.detach_user_policy().user_name("ci-bot").policy_arn(&self_service).send().await.unwrap_err();
    assert_eq!(code(again), "NoSuchEntity");
    let nowhere = format!("arn:aws:iam::{IDENTITY}:policy/Nowhere");
    let e = alice.attach_user_policy().user_name("ci-bot").policy_arn(&nowhere).send().await.unwrap_err();
    assert_eq!(code(e), "NoSuchEntity");

    // What the new actions need is evaluated like anything else: bob may read his own
    // policies, not alice's; carol may read none.
    let bob = iam(&h, &mfa_session(&h, &t, "bob").await);
    bob.list_user_policies().send().await.unwrap();
    assert_eq!(code(bob.list_user_policies().user_name("alice").send().await.unwrap_err()), "AccessDenied");
    let carol = iam(&h, &mfa_session(&h, &t, "carol").await);
    assert_eq!(carol.list_user_policies().send().await.unwrap().policy_names, ["ForceMfa", "NoPolicyReading"]);
    let e = carol.get_user_policy().user_name("carol").policy_name("ForceMfa").send().await.unwrap_err();
    assert!(e.message().unwrap().ends_with("with an explicit deny in an identity-based policy"), "{e:?}");
    let e = carol.list_attached_user_policies().send().await.unwrap_err();
    assert_eq!(code(e), "AccessDenied");
}

fn decision(r: &EvaluationResult) -> &str {
    r.eval_decision.as_str()
}

fn mfa_entry(value: &str) -> ContextEntry {
    ContextEntry::builder()
        .context_key_name("aws:MultiFactorAuthPresent")
        .context_key_type(ContextKeyTypeEnum::Boolean)
        .context_key_values(value)
        .build()
}

#[tokio::test]
async fn simulate_principal_policy_tells_absent_from_false() {
    let (h, t) = demo().await;
    let alice = iam(&h, &mfa_session(&h, &t, "alice").await);
    let role = "arn:aws:iam::222222222222:role/dev-admin";
    let sim = |user: &str, action: &str, entry: Option<ContextEntry>| {
        alice
            .simulate_principal_policy()
            .policy_source_arn(format!("arn:aws:iam::{IDENTITY}:user/{user}"))
            .action_names(action)
            .set_context_entries(entry.map(|e| vec![e]))
    };
    let assume = |user: &str, entry| sim(user, "sts:AssumeRole", entry).resource_arns(role).send();
    // bob's boundary uses Bool: an absent key (long-term keys) escapes it, "false" does not.
    let absent = assume("bob", None).await.unwrap().evaluation_results.unwrap();
    assert_eq!(absent.len(), 1);
    assert_eq!((absent[0].eval_action_name.as_str(), decision(&absent[0])), ("sts:AssumeRole", "allowed"));
    assert_eq!(absent[0].eval_resource_name.as_deref(), Some(role));
    let matched = absent[0].matched_statements();
    assert_eq!(matched.len(), 1, "{matched:?}");
    assert_eq!(matched[0].source_policy_id.as_deref(), Some("AssumeRoles"));
    assert_eq!(matched[0].source_policy_type.as_ref().map(|t| t.as_str()), Some("group"));
    // Seeded documents are stored compact: `{"Statement":[{` puts the statement at column 15.
    assert_eq!(matched[0].start_position.as_ref().map(|p| (p.line, p.column)), Some((1, 15)));
    assert!(absent[0].permissions_boundary_decision_detail.as_ref().unwrap().allowed_by_permissions_boundary);
    // With explicit resources, results (and the keys the boundary wanted) come per resource.
    assert!(absent[0].missing_context_values().is_empty());
    let per = absent[0].resource_specific_results();
    assert_eq!((per.len(), per[0].eval_resource_name.as_str()), (1, role));
    assert_eq!(per[0].eval_resource_decision.as_str(), "allowed");
    assert_eq!(per[0].missing_context_values(), ["aws:MultiFactorAuthPresent"]);
    let falsy = assume("bob", Some(mfa_entry("false"))).await.unwrap().evaluation_results.unwrap();
    assert_eq!(falsy[0].eval_decision, PolicyEvaluationDecisionType::ExplicitDeny);
    assert!(!falsy[0].permissions_boundary_decision_detail.as_ref().unwrap().allowed_by_permissions_boundary);
    assert_eq!(falsy[0].matched_statements()[0].source_policy_id.as_deref(), Some("LooksLikeMfaRequired"));
    assert!(falsy[0].resource_specific_results()[0].missing_context_values().is_empty());

    // alice's boundary uses BoolIfExists: absent and false are both denied, true is allowed.
    for entry in [None, Some(mfa_entry("false"))] {
        let r = assume("alice", entry).await.unwrap().evaluation_results.unwrap();
        assert_eq!(decision(&r[0]), "explicitDeny");
    }
    let r = assume("alice", Some(mfa_entry("true"))).await.unwrap().evaluation_results.unwrap();
    assert_eq!(decision(&r[0]), "allowed");

    // Resource "*" (no ResourceArns): SelfService names ${aws:username}, which the simulation
    // was not given, so bob's own-key statement cannot match.
    let r = sim("bob", "iam:ListAccessKeys", None).send().await.unwrap().evaluation_results.unwrap();
    assert_eq!((r[0].eval_resource_name.as_deref(), decision(&r[0])), (Some("*"), "implicitDeny"));
    assert_eq!(r[0].missing_context_values(), ["aws:username"]);
    assert!(r[0].resource_specific_results().is_empty() && r[0].matched_statements().is_empty());

    // The caller needs iam:SimulatePrincipalPolicy like any action.
    let carol = iam(&h, &mfa_session(&h, &t, "carol").await);
    let e = carol
        .simulate_principal_policy()
        .policy_source_arn(format!("arn:aws:iam::{IDENTITY}:user/carol"))
        .action_names("iam:GetUser")
        .send()
        .await
        .unwrap_err();
    assert!(
        e.message().unwrap().contains(
            "iam:SimulatePrincipalPolicy on resource: arn:aws:iam::111111111111:user/carol with an explicit deny"
        ),
        "{e:?}"
    );
    let unknown = alice
        .simulate_principal_policy()
        .policy_source_arn(format!("arn:aws:iam::{IDENTITY}:user/nobody"))
        .action_names("iam:GetUser")
        .send()
        .await;
    assert_eq!(code(unknown.unwrap_err()), "NoSuchEntity");
}

#[tokio::test]
async fn last_used_quota_and_eventual_consistency() {
    let (h, t) = demo().await;
    // Every authenticated call records service, region and date, a refused one included.
    let mfa = mfa_session(&h, &t, "bob").await; // GetSessionToken, signed with bob's key
    let bob = iam(&h, &mfa);
    let ci = iam(&h, &keys("ci-bot"));
    let fresh = ci.get_access_key_last_used().access_key_id(&keys("ci-bot").access_key_id).send().await.unwrap();
    // That call itself was signed by the key, so it is the last use.
    let last = fresh.access_key_last_used.unwrap();
    assert_eq!((last.service_name.as_str(), last.region.as_str()), ("iam", "us-east-1"));
    assert!((last.last_used_date.unwrap().secs() - h.now()).abs() <= 2);
    let used = bob.get_access_key_last_used().access_key_id(&keys("bob").access_key_id).send().await.unwrap();
    let l = used.access_key_last_used.unwrap();
    assert_eq!((l.service_name.as_str(), used.user_name.as_deref()), ("sts", Some("bob")));
    // STS in another region, and a refused call, are recorded too.
    let eu = Target::at("eu-west-1", Some(h.endpoint()));
    sts::get_caller_identity(&eu, &keys("bob")).await.unwrap();
    let l = bob.get_access_key_last_used().access_key_id(&keys("bob").access_key_id).send().await.unwrap();
    assert_eq!(l.access_key_last_used.unwrap().region, "eu-west-1");
    assert!(iam(&h, &keys("carol")).list_access_keys().send().await.is_err(), "carol's ForceMfa denies");
    let alice = iam(&h, &mfa_session(&h, &t, "alice").await);
    let l = alice.get_access_key_last_used().access_key_id(&keys("carol").access_key_id).send().await.unwrap();
    assert_eq!(l.access_key_last_used.unwrap().service_name, "iam");

    // New keys: never used, refused until IAM has propagated them; Inactive keys count.
    h.set_faults(FaultConfig { new_key_delay_secs: 5, ..FaultConfig::default() });
    let new = bob.create_access_key().send().await.unwrap().access_key.unwrap();
    let l = bob.get_access_key_last_used().access_key_id(&new.access_key_id).send().await.unwrap();
    let l = l.access_key_last_used.unwrap();
    assert_eq!((l.service_name.as_str(), l.region.as_str(), l.last_used_date), ("N/A", "N/A", None));
    let new_keys = Keys {
        access_key_id: new.access_key_id.clone(),
        secret_access_key: Secret::new(new.secret_access_key),
        session_token: None,
    };
    let e = sts::get_caller_identity(&t, &new_keys).await.unwrap_err();
    assert!(matches!(e, AwsError::InvalidKey { .. }), "{e:?}");
    // The delay was fixed when the key was made: lifting the fault does not shorten it...
    h.set_faults(FaultConfig::default());
    assert!(sts::get_caller_identity(&t, &new_keys).await.is_err());
    // ...time does.
    h.set_faults(FaultConfig { clock_offset_secs: 6, ..FaultConfig::default() });
    sts::get_caller_identity(&t, &new_keys).await.unwrap();
    // Deactivated and deleted keys are refused at once.
    bob.update_access_key().access_key_id(&new.access_key_id).status("Inactive".into()).send().await.unwrap();
    assert!(sts::get_caller_identity(&t, &new_keys).await.is_err());
    assert_eq!(code(bob.create_access_key().send().await.unwrap_err()), "LimitExceeded", "the Inactive key counts");
    bob.update_access_key().access_key_id(&new.access_key_id).status("Active".into()).send().await.unwrap();
    sts::get_caller_identity(&t, &new_keys).await.unwrap();
    bob.delete_access_key().access_key_id(&new.access_key_id).send().await.unwrap();
    assert!(matches!(sts::get_caller_identity(&t, &new_keys).await, Err(AwsError::InvalidKey { .. })));
}

#[tokio::test]
async fn a_fault_can_fail_every_rotation_step() {
    let (h, t) = demo().await;
    let session = mfa_session(&h, &t, "carol").await;
    let c = iam(&h, &session);
    let once = |action: &str, effect: Effect| FaultConfig {
        rules: vec![FaultRule::new(effect).action(action).times(1)],
        ..FaultConfig::default()
    };
    let old = keys("carol").access_key_id;

    h.set_faults(once("ListAccessKeys", Effect::Status(503)));
    assert_eq!(code(c.list_access_keys().send().await.unwrap_err()), "ServiceUnavailable");
    assert_eq!(c.list_access_keys().send().await.unwrap().access_key_metadata.len(), 1);

    h.set_faults(once("CreateAccessKey", Effect::Throttle));
    assert_eq!(code(c.create_access_key().send().await.unwrap_err()), "Throttling");
    assert_eq!(c.list_access_keys().send().await.unwrap().access_key_metadata.len(), 1, "nothing was created");
    let new = c.create_access_key().send().await.unwrap().access_key.unwrap();
    let new_keys = Keys {
        access_key_id: new.access_key_id.clone(),
        secret_access_key: Secret::new(new.secret_access_key),
        session_token: None,
    };

    h.set_faults(once("GetCallerIdentity", Effect::Status(500)));
    assert!(sts::get_caller_identity(&t, &new_keys).await.unwrap_err().is_transient());
    sts::get_caller_identity(&t, &new_keys).await.unwrap();

    h.set_faults(once("GetAccessKeyLastUsed", Effect::AccessDenied));
    let e = c.get_access_key_last_used().access_key_id(&old).send().await.unwrap_err();
    assert!(e.message().unwrap().contains("iam:GetAccessKeyLastUsed"), "{e:?}");
    c.get_access_key_last_used().access_key_id(&old).send().await.unwrap();

    h.set_faults(once("UpdateAccessKey", Effect::AccessDenied));
    assert_eq!(
        code(c.update_access_key().access_key_id(&old).status("Inactive".into()).send().await.unwrap_err()),
        "AccessDenied"
    );
    sts::get_caller_identity(&t, &keys("carol")).await.unwrap();
    c.update_access_key().access_key_id(&old).status("Inactive".into()).send().await.unwrap();

    h.set_faults(once("DeleteAccessKey", Effect::Drop));
    assert!(c.delete_access_key().access_key_id(&old).send().await.is_err());
    assert_eq!(c.list_access_keys().send().await.unwrap().access_key_metadata.len(), 2, "still there");
    c.delete_access_key().access_key_id(&old).send().await.unwrap();
    let left = c.list_access_keys().send().await.unwrap().access_key_metadata;
    assert_eq!(
        left.iter().filter_map(|k| k.access_key_id.as_deref()).collect::<Vec<_>>(),
        [new.access_key_id.as_str()]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn call_counters_count_what_reached_the_action() {
    let (h, t) = demo().await;
    assert_eq!(h.calls("GetCallerIdentity"), 0);
    let ci = keys("ci-bot");
    let calls: Vec<_> = (0..10)
        .map(|_| {
            let (t, ci) = (t.clone(), ci.clone());
            async move { sts::get_caller_identity(&t, &ci).await }
        })
        .collect();
    for r in futures_join(calls).await {
        r.unwrap();
    }
    assert_eq!(h.calls("GetCallerIdentity"), 10);
    // A call stopped by a fault did not reach the action; a refused one did.
    h.set_faults(FaultConfig {
        rules: vec![FaultRule::new(Effect::Throttle).action("ListAccessKeys").times(1)],
        ..FaultConfig::default()
    });
    let carol = iam(&h, &keys("carol"));
    assert_eq!(code(carol.list_access_keys().send().await.unwrap_err()), "Throttling");
    assert_eq!(code(carol.list_access_keys().send().await.unwrap_err()), "AccessDenied");
    assert_eq!(h.calls("ListAccessKeys"), 1);
    assert_eq!(h.calls("GetSessionToken"), 0);
    mfa_session(&h, &t, "alice").await;
    assert_eq!(h.calls("GetSessionToken"), 1);
    let stats = h.stats();
    assert_eq!((stats["GetCallerIdentity"], stats["ListAccessKeys"], stats["GetSessionToken"]), (10, 1, 1));
    assert_eq!(stats.len(), 3, "{stats:?}");
}

/// Await every future, concurrently.
async fn futures_join<F: std::future::Future + Send + 'static>(fs: Vec<F>) -> Vec<F::Output>
where
    F::Output: Send + 'static,
{
    let handles: Vec<_> = fs.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}
