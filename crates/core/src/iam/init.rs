//! `mfatui init`: from an IAM user's access keys alone to a profile mfatui signs in. The steps,
//! for the CLI and the dashboard alike: `discover` (GetCallerIdentity for the user, then
//! ListMFADevices for its devices; a denial is an answer, not an error), `Discovery::next` (what
//! to do: write the one usable device, pick among several, ask for a serial, or explain how
//! to add a device), `check_serial` for a typed or pasted one, and `write_serial`, which adds
//! `mfa_serial` to the user's `[profile NAME]` of the config file (creating that section when
//! the keys live only in the credentials file) and changes nothing else.

use super::access::parse_user_arn;
use super::api::{MfaDevice, MfaKind, list_user_mfa_devices};
use crate::config::AwsPaths;
use crate::config::arn::parse_mfa_serial;
use crate::engine::{Engine, Plan, UserPlan};
use crate::net::AwsError;
use crate::sts;
use crate::userfile::update_text;

#[derive(Debug, thiserror::Error)]
pub enum InitError {
    #[error("{0}")]
    Engine(#[from] crate::engine::EngineError),
    #[error("{profile} already has mfa_serial = {serial}: mfatui signs it in as it is (`mfatui login {profile}`)")]
    AlreadySet { profile: String, serial: String },
    #[error("sts:GetCallerIdentity with the keys of {profile} failed: {cause}")]
    Identity { profile: String, cause: AwsError },
    #[error(
        "the keys of {profile} belong to {arn}, not to an IAM user: `mfatui init` is for an IAM user's access keys"
    )]
    NotUser { profile: String, arn: String },
    #[error(
        "`{0}` is not an MFA device: give its ARN (arn:aws:iam::ACCOUNT:mfa/NAME, as the IAM console shows it) or a hardware token's serial (letters and digits)"
    )]
    BadSerial(String),
    #[error(
        "`{0}` is a FIDO security key, which gives no codes to type: the AWS CLI and mfatui cannot use it. Add a virtual (authenticator app) device, or sign in with the key through `aws login`"
    )]
    Fido(String),
    #[error("writing mfa_serial into {path}: {detail}")]
    File { path: String, detail: String },
}

/// What IAM said about the user's devices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Devices {
    Listed(Vec<MfaDevice>),
    /// ListMFADevices was refused (often a policy that allows it only with MFA): AWS's words.
    Denied(String),
}

#[derive(Debug, Clone)]
pub struct Discovery {
    pub profile: String,
    pub user: String,
    pub arn: String,
    pub account: String,
    pub devices: Devices,
}

/// What to do next, with the words to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// One usable device: write it (after a yes).
    Write(String),
    /// Several usable devices: let the user pick one.
    Pick(Vec<MfaDevice>),
    /// IAM would not list them: ask for the serial, typed or pasted (`check_serial`).
    AskSerial(String),
    /// Nothing usable to write; the text says how to get there.
    Explain(String),
}

impl Discovery {
    pub fn next(&self) -> Next {
        let devices = match &self.devices {
            Devices::Denied(why) => {
                return Next::AskSerial(format!(
                    "IAM would not list the MFA devices of {} ({why}); a policy often allows that only with MFA. Type or paste the device's ARN (IAM console → Security credentials → Multi-factor authentication)",
                    self.user
                ));
            }
            Devices::Listed(d) => d,
        };
        let usable: Vec<MfaDevice> = devices.iter().filter(|d| d.kind.usable_from_cli()).cloned().collect();
        match usable.len() {
            1 => Next::Write(usable[0].serial.clone()),
            n if n > 1 => Next::Pick(usable),
            _ if !devices.is_empty() => Next::Explain(format!(
                "{} has only FIDO security keys ({}), which give no codes to type: the AWS CLI and mfatui cannot use them. Add a virtual (authenticator app) device in the IAM console, or sign in with the security key through `aws login` (AWS CLI v2.32 or later)",
                self.user,
                devices.iter().map(|d| d.serial.as_str()).collect::<Vec<_>>().join(", ")
            )),
            _ => Next::Explain(format!(
                "{user} has no MFA device yet. Add one: IAM console → Users → {user} → Security credentials → Assign MFA device (an authenticator app), or `aws iam create-virtual-mfa-device` and `aws iam enable-mfa-device`; then run `mfatui init {profile}` again. If the user's policies allow managing their own MFA, `mfatui audit {profile}` checks afterwards that MFA is really enforced",
                user = self.user,
                profile = self.profile
            )),
        }
    }
}

/// Who the profile's keys belong to, and that user's MFA devices.
pub async fn discover(engine: &Engine, plan: &Plan, profile: &str) -> Result<Discovery, InitError> {
    let user: &UserPlan = match plan.resolve(profile)? {
        crate::engine::Resolved::User(u) => u,
        crate::engine::Resolved::Role(r) => plan
            .users
            .get(&r.user)
            .ok_or_else(|| crate::engine::EngineError::ParentFailed { parent: r.user.clone() })?,
    };
    if let Some(serial) = &user.mfa_serial {
        return Err(InitError::AlreadySet { profile: user.name.clone(), serial: serial.clone() });
    }
    let keys = engine.long_term_keys(user).await?;
    let target = engine.target(&user.target);
    let id = sts::get_caller_identity(&target, &keys)
        .await
        .map_err(|cause| InitError::Identity { profile: user.name.clone(), cause })?;
    let Some((name, account)) = parse_user_arn(&id.arn) else {
        return Err(InitError::NotUser {
            profile: user.name.clone(),
            arn: crate::sanitize::for_terminal(&id.arn).into_owned(),
        });
    };
    let devices = match list_user_mfa_devices(&target, &keys, &name).await {
        Ok(d) => Devices::Listed(d),
        Err(e @ AwsError::AccessDenied { .. }) => Devices::Denied(super::access::short(&e)),
        Err(cause) => return Err(InitError::Identity { profile: user.name.clone(), cause }),
    };
    Ok(Discovery { profile: user.name.clone(), user: name, arn: id.arn, account, devices })
}

/// A serial typed or pasted: trimmed, and an MFA device ARN or a hardware token's serial.
pub fn check_serial(text: &str) -> Result<String, InitError> {
    let s = text.trim();
    let bad = || InitError::BadSerial(crate::sanitize::for_terminal(s).into_owned());
    if MfaKind::of(s) == MfaKind::Fido {
        return Err(InitError::Fido(crate::sanitize::for_terminal(s).into_owned()));
    }
    if s.starts_with("arn:") {
        return parse_mfa_serial(s).map(|_| s.to_string()).ok_or_else(bad);
    }
    // Hardware TOTP tokens have serials such as GAHT12345678.
    let hardware = (9..=256).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric() || "=,.@-".contains(c));
    if hardware { Ok(s.to_string()) } else { Err(bad()) }
}

/// Add `mfa_serial = serial` to `profile`'s own section of the config file: at the end of its
/// last section, or as a new `[profile NAME]` (`[default]`) at the end of the file. Every other
/// byte stays as it was.
pub fn write_serial(paths: &AwsPaths, profile: &str, serial: &str) -> Result<(), InitError> {
    let serial = check_serial(serial)?;
    let file_err = |detail: String| InitError::File { path: paths.config.display().to_string(), detail };
    update_text(&paths.config, |text| crate::edit::add_profile_value(text, profile, "mfa_serial", &serial))
        .map_err(|e| file_err(e.to_string()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn discovery(devices: Devices) -> Discovery {
        Discovery { profile: "alice".into(), user: "alice".into(), arn: String::new(), account: "1".into(), devices }
    }

    fn device(serial: &str) -> MfaDevice {
        MfaDevice { serial: serial.into(), kind: MfaKind::of(serial), enabled: None }
    }

    #[test]
    fn one_device_is_written_several_are_picked_fido_and_none_are_explained() {
        let phone = device("arn:aws:iam::111111111111:mfa/alice-phone");
        let key = device("arn:aws:iam::111111111111:u2f/user/alice/yubi-ABC");
        let token = device("GAHT12345678");
        assert_eq!(
            discovery(Devices::Listed(vec![phone.clone(), key.clone()])).next(),
            Next::Write(phone.serial.clone())
        );
        assert_eq!(
            discovery(Devices::Listed(vec![phone.clone(), token.clone()])).next(),
            Next::Pick(vec![phone, token])
        );
        let Next::Explain(fido) = discovery(Devices::Listed(vec![key])).next() else { panic!() };
        assert!(fido.contains("FIDO") && fido.contains("aws login"), "{fido}");
        let Next::Explain(none) = discovery(Devices::Listed(vec![])).next() else { panic!() };
        assert!(none.contains("no MFA device") && none.contains("mfatui audit alice"), "{none}");
        let Next::AskSerial(denied) = discovery(Devices::Denied("access denied".into())).next() else { panic!() };
        assert!(denied.contains("would not list"), "{denied}");
    }

    #[test]
    fn typed_serials_are_checked() {
        assert_eq!(
            check_serial("  arn:aws:iam::111111111111:mfa/alice \n").unwrap(),
            "arn:aws:iam::111111111111:mfa/alice"
        );
        assert_eq!(check_serial("GAHT12345678").unwrap(), "GAHT12345678");
        for bad in ["", "alice", "arn:aws:iam::1:user/alice", "arn:aws:iam::111111111111:mfa/", "a b c d e f g"] {
            assert!(matches!(check_serial(bad), Err(InitError::BadSerial(_))), "{bad:?}");
        }
        assert!(matches!(check_serial("arn:aws:iam::111111111111:u2f/user/alice/k"), Err(InitError::Fido(_))));
    }
}
