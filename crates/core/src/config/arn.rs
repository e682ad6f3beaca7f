//! The few ARN shapes mfatui reads from profiles: roles and MFA devices.

use serde::Serialize;

/// An AWS partition: its own endpoints, sign-in pages and home region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Partition {
    Aws,
    China,
    GovCloud,
}

impl Partition {
    /// From an ARN's partition (`arn:aws-cn:…`), else from a region name.
    pub fn of(arn_partition: Option<&str>, region: &str) -> Self {
        match arn_partition {
            Some("aws-cn") => Self::China,
            Some("aws-us-gov") => Self::GovCloud,
            Some(_) => Self::Aws,
            None if region.starts_with("cn-") => Self::China,
            None if region.starts_with("us-gov-") => Self::GovCloud,
            None => Self::Aws,
        }
    }

    /// The partition's home region: STS's when a profile names no region, and the one its
    /// console serves without a regional host.
    pub fn home_region(self) -> &'static str {
        match self {
            Self::Aws => "us-east-1",
            Self::China => "cn-north-1",
            Self::GovCloud => "us-gov-west-1",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AccountRef<'a> {
    /// `aws`, `aws-cn`, `aws-us-gov`, …: decides which STS endpoint serves the role.
    pub partition: &'a str,
    pub id: &'a str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoleArn<'a> {
    pub account: AccountRef<'a>,
    /// The role name with its path: `team/deployer`.
    pub name: &'a str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MfaSerial<'a> {
    pub account: AccountRef<'a>,
    pub device: &'a str,
}

/// `(partition, account, name)` of `arn:PARTITION:SERVICE::ACCOUNT:TYPE/NAME`, borrowed.
fn split<'a>(arn: &'a str, service: &str, resource_type: &str) -> Option<(&'a str, &'a str, &'a str)> {
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), Some(partition), Some(svc), Some(""), Some(account), Some(resource)) =
        (parts.next(), parts.next(), parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let name = resource.strip_prefix(resource_type)?.strip_prefix('/')?;
    let valid_account = account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit());
    (svc == service && partition.starts_with("aws") && valid_account && !name.is_empty())
        .then_some((partition, account, name))
}

pub fn is_role_arn(arn: &str) -> bool {
    split(arn, "iam", "role").is_some()
}

pub fn is_mfa_serial(arn: &str) -> bool {
    split(arn, "iam", "mfa").is_some()
}

pub fn parse_role_arn(arn: &str) -> Option<RoleArn<'_>> {
    split(arn, "iam", "role").map(|(partition, id, name)| RoleArn { account: AccountRef { partition, id }, name })
}

pub fn parse_mfa_serial(arn: &str) -> Option<MfaSerial<'_>> {
    split(arn, "iam", "mfa").map(|(partition, id, device)| MfaSerial { account: AccountRef { partition, id }, device })
}

/// An IAM user ARN (`arn:aws:iam::123456789012:user/NAME`, as `login_session` holds): its
/// account and the user's name (with its path).
pub fn parse_user_arn(arn: &str) -> Option<(AccountRef<'_>, &str)> {
    split(arn, "iam", "user").map(|(partition, id, name)| (AccountRef { partition, id }, name))
}

/// What STS accepts as a role session name: 2 to 64 of letters, digits and `+=,.@-_`.
pub fn is_role_session_name(n: &str) -> bool {
    (2..=64).contains(&n.len()) && n.chars().all(|c| c.is_ascii_alphanumeric() || "+=,.@-_".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_arns() {
        let r = parse_role_arn("arn:aws:iam::123456789012:role/team/deployer").unwrap();
        assert_eq!((r.account.partition, r.account.id, r.name), ("aws", "123456789012", "team/deployer"));
        assert_eq!(parse_role_arn("arn:aws-cn:iam::123456789012:role/x").unwrap().account.partition, "aws-cn");
        assert_eq!(parse_role_arn("arn:aws-us-gov:iam::123456789012:role/x").unwrap().account.partition, "aws-us-gov");
        for bad in [
            "",
            "arn:aws:iam::12345678901:role/x",
            "arn:aws:iam::123456789012:user/x",
            "arn:aws:sts::123456789012:role/x",
            "arn:aws:iam::123456789012:role/",
            "role/x",
        ] {
            assert!(parse_role_arn(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn mfa_serials() {
        let m = parse_mfa_serial("arn:aws:iam::111122223333:mfa/alice-phone").unwrap();
        assert_eq!((m.account.id, m.device), ("111122223333", "alice-phone"));
        assert!(parse_mfa_serial("GAHT12345678").is_none());
    }
}
