//! The simulator's virtual clock: milliseconds since the Unix epoch, advanced by the simulator
//! (never by real time), so that a deploy that "takes" twenty minutes runs in milliseconds and
//! every run of a test sees the same timestamps.

use std::fmt;

/// A point on the virtual clock, in milliseconds since 1970-01-01T00:00:00Z.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct SimTime(pub u64);

/// Where a fresh simulator's clock starts: 2026-01-01T00:00:00Z. A fixed start keeps ids and
/// timestamps identical from one run to the next.
pub const EPOCH: SimTime = SimTime(1_767_225_600_000);

impl SimTime {
    /// This time plus `secs` seconds.
    pub fn plus_secs(self, secs: u64) -> SimTime {
        SimTime(self.0 + secs * 1000)
    }
    /// This time plus `ms` milliseconds.
    pub fn plus_ms(self, ms: u64) -> SimTime {
        SimTime(self.0 + ms)
    }
    /// Whole seconds from `earlier` to `self` (0 when `earlier` is later).
    pub fn secs_since(self, earlier: SimTime) -> u64 {
        self.0.saturating_sub(earlier.0) / 1000
    }
    /// Milliseconds since the Unix epoch.
    pub fn as_millis(self) -> u64 {
        self.0
    }
    /// As a `SystemTime`, for APIs that take one.
    pub fn to_system_time(self) -> std::time::SystemTime {
        std::time::UNIX_EPOCH + std::time::Duration::from_millis(self.0)
    }
}

impl From<SimTime> for dr_core::cloud::Timestamp {
    /// The same instant as the port reports it (saturating far beyond any virtual clock).
    fn from(t: SimTime) -> Self {
        dr_core::cloud::Timestamp::from_millis(i64::try_from(t.0).unwrap_or(i64::MAX))
    }
}

impl From<dr_core::cloud::Timestamp> for SimTime {
    /// The same instant on the virtual clock (times before 1970 cannot occur on it: epoch).
    fn from(t: dr_core::cloud::Timestamp) -> Self {
        SimTime(u64::try_from(t.millis()).unwrap_or(0))
    }
}

impl fmt::Display for SimTime {
    /// ISO 8601 in UTC with milliseconds, the way CloudFormation prints timestamps.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.0 % 1000;
        let secs = self.0 / 1000;
        let (days, rem) = (secs / 86_400, secs % 86_400);
        let (y, m, d) = civil_from_days(days as i64);
        write!(
            f,
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{ms:03}Z",
            rem / 3600,
            (rem / 60) % 60,
            rem % 60
        )
    }
}

/// Days since 1970-01-01 to (year, month, day), Howard Hinnant's `civil_from_days`.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_iso8601() {
        assert_eq!(EPOCH.to_string(), "2026-01-01T00:00:00.000Z");
        assert_eq!(
            EPOCH.plus_secs(86_400 * 59 + 3661).plus_ms(7).to_string(),
            "2026-03-01T01:01:01.007Z"
        );
    }
}
