//! Headless subcommands. Each renders domain data to a writer and returns an exit code; none
//! of them prompts.

pub mod demo;
pub mod doctor;
pub mod list;
pub mod sandbox;

use std::time::Duration;

/// `11h 42m`, `42m 10s`, `9s`: the precision a person needs at each scale.
pub fn human_duration(secs: i64) -> String {
    let d = Duration::from_secs(secs.max(0) as u64).as_secs();
    let (h, m, s) = (d / 3600, d / 60 % 60, d % 60);
    if h >= 24 {
        format!("{}d {}h", h / 24, h % 24)
    } else if h > 0 {
        format!("{h}h {m:02}m")
    } else if m > 0 {
        format!("{m}m {s:02}s")
    } else {
        format!("{s}s")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn human_durations() {
        use super::human_duration as h;
        assert_eq!(
            [h(0), h(9), h(70), h(3600), h(42_120), h(90_000), h(-5)],
            ["0s", "9s", "1m 10s", "1h 00m", "11h 42m", "1d 1h", "0s"]
        );
    }
}
