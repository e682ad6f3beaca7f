//! Where the region a profile is used with comes from, said the same way in every view: the
//! dashboard's column and details, `list` and `doctor`. A region is the profile's own, or the
//! nearest one up its chain, or — when none of those has one — the partition's home region,
//! which mfatui writes into the managed profile and uses for STS. `[default]`'s region is not
//! inherited: the AWS CLI and the SDKs read only the named profile (and AWS_REGION).

use super::graph::Profile;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegionOrigin {
    /// `region` in the profile itself.
    Own,
    /// From this profile up the chain (a role's source user, or the parent of a chained role).
    Inherited { from: String },
    /// Nothing in the chain names one: the partition's home region.
    PartitionDefault,
    /// Not used with a region by mfatui (not signed in, no region anywhere).
    None,
}

impl RegionOrigin {
    /// `shown`: the region mfatui uses for the profile (`None` when it uses none).
    pub fn of(p: &Profile, shown: Option<&str>) -> Self {
        match (shown, p.region_from) {
            (None, _) => Self::None,
            (Some(r), Some(from)) if p.resolved_region == Some(r) && from == p.name => Self::Own,
            (Some(r), Some(from)) if p.resolved_region == Some(r) => Self::Inherited { from: from.to_string() },
            (Some(_), _) => Self::PartitionDefault,
        }
    }

    /// Whether the region is not the profile's own (the table marks it with `*`).
    pub fn inherited(&self) -> bool {
        matches!(self, Self::Inherited { .. } | Self::PartitionDefault)
    }

    /// In words, for `profile` used with `region`.
    pub fn describe(&self, profile: &str, region: Option<&str>) -> String {
        let region = region.unwrap_or("none");
        match self {
            Self::Own => format!("{region}, set in {profile}"),
            Self::Inherited { from } => {
                format!("{region}, inherited from {from}, up the chain {profile} is assumed through")
            }
            Self::PartitionDefault => format!(
                "{region}, the partition's default: no region in {profile} or up its chain ([default]'s is not inherited); set region in {profile} to choose"
            ),
            Self::None => format!("no region in {profile} or up its chain"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ProfileGraph;
    use crate::config::sections::tests::set_of;

    #[test]
    fn own_inherited_and_the_partition_default_are_told_apart() {
        let set = Box::leak(Box::new(set_of(
            "[default]\nregion = eu-west-1\n[profile maria]\nmfa_serial = arn:aws:iam::111111111111:mfa/m\n\
             [profile ops]\nrole_arn = arn:aws:iam::222222222222:role/ops\nsource_profile = maria\nregion = us-west-2\n\
             [profile dev]\nrole_arn = arn:aws:iam::333333333333:role/dev\nsource_profile = ops\n",
            "[maria]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = s\n",
        )));
        let g = ProfileGraph::build(set);
        let of = |p: &str, shown: Option<&str>| RegionOrigin::of(g.get(p).unwrap(), shown);
        assert_eq!(of("ops", Some("us-west-2")), RegionOrigin::Own);
        assert_eq!(of("dev", Some("us-west-2")), RegionOrigin::Inherited { from: "ops".into() });
        // maria names no region and [default]'s is not hers: the partition's default is used.
        let maria = of("maria", Some("us-east-1"));
        assert_eq!(maria, RegionOrigin::PartitionDefault);
        let words = maria.describe("maria", Some("us-east-1"));
        assert!(words.contains("partition's default") && words.contains("[default]'s is not inherited"), "{words}");
        assert_eq!(of("maria", None), RegionOrigin::None);
        assert!(of("dev", Some("us-west-2")).describe("dev", Some("us-west-2")).contains("inherited from ops"));
    }
}
