//! The domain: AWS configuration, credential files, sessions. No terminal UI here, and no
//! reading of stdin: anything interactive arrives as an argument.

pub mod adopt;
pub mod channels;
pub mod child;
pub mod clock;
pub mod config;
pub mod console;
pub mod display;
pub mod edit;
pub mod edit_settings;
pub mod engine;
pub mod exports;
pub mod external;
pub mod iam;
pub mod loopback;
pub mod mfa;
pub mod net;
pub mod prompt;
pub mod sanitize;
pub mod scrub;
pub mod secret;
pub mod store;
pub mod sts;
pub mod suggest;
pub mod totp;
pub mod userfile;
pub mod vault;
