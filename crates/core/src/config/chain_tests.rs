use super::super::graph::{ProfileGraph, ProfileKind};
use super::super::sections::tests::set_of;
use crate::config::Severity;
use std::fmt::Write;
use std::time::Instant;

const KEYS: &str = "aws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = secret\n";

fn role(config: &mut String, name: &str, source: &str) {
    writeln!(config, "[profile {name}]\nrole_arn = arn:aws:iam::111111111111:role/{name}\nsource_profile = {source}")
        .unwrap();
}

#[test]
fn a_chain_of_ten_thousand_links_resolves_in_linear_time() {
    let n = 10_000;
    let mut config = String::from("[profile user]\nregion = eu-west-1\nmfa_serial = arn:aws:iam::111111111111:mfa/u\n");
    for i in 0..n {
        let source = if i == 0 { "user".to_string() } else { format!("r{:05}", i - 1) };
        role(&mut config, &format!("r{i:05}"), &source);
    }
    let set = set_of(&config, &format!("[user]\n{KEYS}"));
    let started = Instant::now();
    let g = ProfileGraph::build(&set);
    let took = started.elapsed();
    eprintln!("resolved a {n}-link chain in {took:?}");
    assert!(took.as_secs_f64() < 2.0, "took {took:?}");
    let last = g.get("r09999").unwrap();
    assert_eq!(last.chain.len(), n + 1);
    assert_eq!(last.chain.get(1), Some(&"r09998"));
    assert_eq!(last.chain.iter().last(), Some("user"));
    assert_eq!((last.kind, last.root_user), (ProfileKind::ChainedRole, Some("user")));
    assert_eq!(
        (last.resolved_region, last.region_from, last.mfa_serial_from),
        (Some("eu-west-1"), Some("user"), Some("user"))
    );
    assert_eq!(g.get("r00000").unwrap().kind, ProfileKind::Role);
    assert!(g.diagnostics.is_empty());
}

#[test]
fn a_loop_of_a_thousand_profiles_is_one_short_diagnostic() {
    let n = 1_000;
    let mut config = String::new();
    for i in 0..n {
        role(&mut config, &format!("l{i:04}"), &format!("l{:04}", (i + 1) % n));
    }
    role(&mut config, "into", "l0500");
    let set = set_of(&config, "");
    let g = ProfileGraph::build(&set);
    let loops: Vec<_> = g.diagnostics.iter().filter(|d| d.message.contains("loops")).collect();
    assert_eq!(loops.len(), 1, "one diagnostic per loop");
    let msg = &loops[0].message;
    assert!(msg.contains("(1000 profiles): l0000 → l0001") && msg.contains("… and 992 more → l0000"), "{msg}");
    assert_eq!(loops[0].profile.as_deref(), Some("l0000"), "named after its smallest member");
    assert_eq!(g.diagnostics.len(), 2, "the loop's, and one for the profile leading into it");
    for i in 0..n {
        let name = format!("l{i:04}");
        assert!(g.is_broken(&name), "{name}");
        assert_eq!(g.get(&name).unwrap().chain.len(), n);
    }
    let into: Vec<_> = g.diagnostics_for("into").collect();
    assert_eq!(into.len(), 1);
    assert!(
        into[0].message.contains("breaks at `l0500`, which is in the source_profile loop reported on profile `l0000`")
    );
}

#[test]
fn a_role_with_keys_whose_chain_comes_back_to_it() {
    let mut config = String::new();
    role(&mut config, "keyed", "mid");
    role(&mut config, "mid", "keyed");
    let g = ProfileGraph::build(Box::leak(Box::new(set_of(&config, &format!("[keyed]\n{KEYS}")))));
    let keyed: Vec<_> = g.diagnostics_for("keyed").filter(|d| d.severity == Severity::Error).collect();
    assert!(keyed[0].message.contains("loops: keyed → mid → keyed"), "{:?}", keyed);
    assert_eq!(g.get("keyed").unwrap().chain, vec!["keyed", "mid"]);
    let mid = g.get("mid").unwrap();
    assert_eq!((mid.root_user, g.is_broken("mid")), (Some("keyed"), false), "as a source its keys are used");
}

#[test]
fn loop_members_inherit_from_the_nearest_member_around_the_loop() {
    let mut config = String::new();
    for (name, source) in [("a", "b"), ("b", "c"), ("c", "a")] {
        role(&mut config, name, source);
    }
    config.push_str("[profile b]\nregion = eu-west-1\n");
    let set = set_of(&config, "");
    let g = ProfileGraph::build(&set);
    let from = |n| g.get(n).unwrap().region_from;
    assert_eq!((from("a"), from("b"), from("c")), (Some("b"), Some("b"), Some("b")));
    assert_eq!(g.get("c").unwrap().chain, vec!["c", "a", "b"]);
}
