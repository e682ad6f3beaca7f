//! Condition operators: parsing their names and testing request values against policy values.

use std::net::IpAddr;

use super::{Context, Tok, arn_glob, glob, var_tokens};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetOperator {
    ForAnyValue,
    ForAllValues,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Test {
    StringEquals,
    StringEqualsIgnoreCase,
    StringLike,
    Numeric(Cmp),
    Date(Cmp),
    Bool,
    /// `ArnEquals` and `ArnLike` behave the same in IAM: both accept wildcards per ARN component.
    Arn,
    IpAddress,
    Null,
}

/// A parsed condition operator such as `ForAllValues:StringNotLikeIfExists`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operator {
    pub set: Option<SetOperator>,
    pub test: Test,
    pub negated: bool,
    pub if_exists: bool,
}

impl Operator {
    pub fn parse(name: &str) -> Option<Operator> {
        let lower = name.to_ascii_lowercase();
        let (set, rest) = match lower.split_once(':') {
            Some(("foranyvalue", rest)) => (Some(SetOperator::ForAnyValue), rest),
            Some(("forallvalues", rest)) => (Some(SetOperator::ForAllValues), rest),
            Some(_) => return None,
            None => (None, lower.as_str()),
        };
        let (base, if_exists) = match rest.strip_suffix("ifexists") {
            Some(base) => (base, true),
            None => (rest, false),
        };
        let cmp = |s: &str| match s {
            "equals" => Some((Cmp::Eq, false)),
            "notequals" => Some((Cmp::Eq, true)),
            "lessthan" => Some((Cmp::Lt, false)),
            "lessthanequals" => Some((Cmp::Le, false)),
            "greaterthan" => Some((Cmp::Gt, false)),
            "greaterthanequals" => Some((Cmp::Ge, false)),
            _ => None,
        };
        let (test, negated) = match base {
            "stringequals" => (Test::StringEquals, false),
            "stringnotequals" => (Test::StringEquals, true),
            "stringequalsignorecase" => (Test::StringEqualsIgnoreCase, false),
            "stringnotequalsignorecase" => (Test::StringEqualsIgnoreCase, true),
            "stringlike" => (Test::StringLike, false),
            "stringnotlike" => (Test::StringLike, true),
            "bool" => (Test::Bool, false),
            "arnequals" | "arnlike" => (Test::Arn, false),
            "arnnotequals" | "arnnotlike" => (Test::Arn, true),
            "ipaddress" => (Test::IpAddress, false),
            "notipaddress" => (Test::IpAddress, true),
            "null" if !if_exists => (Test::Null, false),
            _ => match (base.strip_prefix("numeric"), base.strip_prefix("date")) {
                (Some(c), _) => cmp(c).map(|(c, n)| (Test::Numeric(c), n))?,
                (_, Some(c)) => cmp(c).map(|(c, n)| (Test::Date(c), n))?,
                _ => return None,
            },
        };
        Some(Operator { set, test, negated, if_exists })
    }
}

/// One key of one operator block: `"Bool": {"aws:MultiFactorAuthPresent": "true"}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    /// The operator as written, for messages.
    pub operator: String,
    pub key: String,
    pub values: Vec<String>,
    /// `None` when the operator is unknown or the block is malformed: the condition never holds.
    pub parsed: Option<Operator>,
}

impl Condition {
    pub fn holds(&self, ctx: &Context) -> bool {
        let Some(op) = self.parsed else { return false };
        let present = ctx.get(&self.key).filter(|v| !v.is_empty());
        if op.test == Test::Null {
            return self.values.iter().any(|v| match v.to_ascii_lowercase().as_str() {
                "true" => present.is_none(),
                "false" => present.is_some(),
                _ => false,
            });
        }
        let Some(actual) = present else {
            return op.if_exists
                || match op.set {
                    Some(SetOperator::ForAllValues) => true,
                    Some(SetOperator::ForAnyValue) => false,
                    None => op.negated,
                };
        };
        let one = |a: &String| self.values.iter().any(|p| test_value(op.test, a, p, ctx)) != op.negated;
        match op.set {
            Some(SetOperator::ForAllValues) => actual.iter().all(one),
            _ => actual.iter().any(one),
        }
    }
}

fn test_value(test: Test, actual: &str, wanted: &str, ctx: &Context) -> bool {
    let chars = |s: &str| s.chars().collect::<Vec<_>>();
    let with_vars = |w: &str| var_tokens(w, ctx);
    let literal = |w: &str| {
        with_vars(w).map(|t| {
            t.iter()
                .map(|t| match t {
                    Tok::Lit(c) => *c,
                    Tok::Star | Tok::SegmentStar => '*',
                    Tok::One => '?',
                })
                .collect::<String>()
        })
    };
    match test {
        Test::StringEquals => literal(wanted).is_some_and(|w| w == actual),
        Test::StringEqualsIgnoreCase => literal(wanted).is_some_and(|w| w.to_lowercase() == actual.to_lowercase()),
        Test::StringLike => with_vars(wanted).is_some_and(|p| glob(&p, &chars(actual), false)),
        Test::Arn => with_vars(wanted).is_some_and(|p| arn_glob(&p, actual)),
        Test::Numeric(cmp) => match (actual.trim().parse::<f64>(), wanted.trim().parse::<f64>()) {
            (Ok(a), Ok(w)) => compare(cmp, a, w),
            _ => false,
        },
        Test::Date(cmp) => match (parse_date(actual), parse_date(wanted)) {
            (Some(a), Some(w)) => compare(cmp, a, w),
            _ => false,
        },
        Test::Bool => match (parse_bool(actual), parse_bool(wanted)) {
            (Some(a), Some(w)) => a == w,
            _ => false,
        },
        Test::IpAddress => in_cidr(actual, wanted).unwrap_or(false),
        Test::Null => false,
    }
}

fn compare(cmp: Cmp, a: f64, w: f64) -> bool {
    match cmp {
        Cmp::Eq => a == w,
        Cmp::Lt => a < w,
        Cmp::Le => a <= w,
        Cmp::Gt => a > w,
        Cmp::Ge => a >= w,
    }
}

fn parse_bool(s: &str) -> Option<bool> {
    s.trim().to_ascii_lowercase().parse().ok()
}

/// Epoch seconds, or ISO 8601 `YYYY-MM-DD[THH:MM[:SS[.f]]][Z|±HH[:MM]]` (UTC when no zone), as epoch seconds.
fn parse_date(s: &str) -> Option<f64> {
    let s = s.trim();
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return s.parse().ok();
    }
    let (date, time) = s.split_once(['T', 't', ' ']).unwrap_or((s, ""));
    let mut ymd = date.splitn(3, '-').map(|p| p.parse::<i64>().ok());
    let (y, m, d) = (ymd.next()??, ymd.next()??, ymd.next()??);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let (clock, offset) = match time.find(['Z', 'z', '+', '-']) {
        Some(i) => (&time[..i], zone_seconds(&time[i..])?),
        None => (time, 0.0),
    };
    let mut secs = 0.0;
    if !clock.is_empty() {
        let hms: Vec<f64> = clock.split(':').map(str::parse).collect::<Result<_, _>>().ok()?;
        if hms.len() < 2 || hms.len() > 3 {
            return None;
        }
        secs = hms[0] * 3600.0 + hms[1] * 60.0 + hms.get(2).copied().unwrap_or(0.0);
    }
    // Days from 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's days_from_civil).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let days = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468;
    Some(days as f64 * 86_400.0 + secs - offset)
}

fn zone_seconds(zone: &str) -> Option<f64> {
    if zone.eq_ignore_ascii_case("z") {
        return Some(0.0);
    }
    let sign = if zone.starts_with('-') { -1.0 } else { 1.0 };
    let digits: String = zone[1..].chars().filter(|c| *c != ':').collect();
    if (digits.len() != 2 && digits.len() != 4) || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let h: f64 = digits[..2].parse().ok()?;
    let m: f64 = if digits.len() == 4 { digits[2..].parse().ok()? } else { 0.0 };
    Some(sign * (h * 3600.0 + m * 60.0))
}

/// Whether `ip` lies in `cidr` (IPv4 or IPv6; a bare address is a /32 or /128).
fn in_cidr(ip: &str, cidr: &str) -> Option<bool> {
    let ip: IpAddr = ip.trim().split('/').next()?.parse().ok()?;
    let (net, bits) = cidr.trim().split_once('/').unwrap_or((cidr.trim(), ""));
    let net: IpAddr = net.parse().ok()?;
    Some(match (ip, net) {
        (IpAddr::V4(ip), IpAddr::V4(net)) => {
            let bits: u32 = if bits.is_empty() { 32 } else { bits.parse().ok().filter(|b| *b <= 32)? };
            let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
            u32::from(ip) & mask == u32::from(net) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(net)) => {
            let bits: u32 = if bits.is_empty() { 128 } else { bits.parse().ok().filter(|b| *b <= 128)? };
            let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
            u128::from(ip) & mask == u128::from(net) & mask
        }
        _ => false,
    })
}
