//! UTC timestamps in RFC 3339 form, without a date crate: the civil date of a day count is
//! Howard Hinnant's `civil_from_days` (proleptic Gregorian calendar).

use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch (0 for a clock set before 1970).
pub fn unix_ms_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Now as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn utc_now_secs() -> String {
    utc_secs(unix_ms_now() / 1000)
}

/// Now as `YYYY-MM-DDTHH:MM:SS.mmmZ` (as Lambda stamps its messages).
pub fn utc_now_millis() -> String {
    utc_millis(unix_ms_now())
}

/// `YYYY-MM-DDTHH:MM:SSZ` for seconds since the Unix epoch.
fn utc_secs(unix_secs: u64) -> String {
    let (date, time) = date_and_time(unix_secs);
    format!("{date}T{time}Z")
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ` for milliseconds since the Unix epoch.
fn utc_millis(unix_ms: u64) -> String {
    let (date, time) = date_and_time(unix_ms / 1000);
    format!("{date}T{time}.{:03}Z", unix_ms % 1000)
}

/// (`YYYY-MM-DD`, `HH:MM:SS`) of seconds since the Unix epoch.
fn date_and_time(unix_secs: u64) -> (String, String) {
    let days = i64::try_from(unix_secs / 86_400).unwrap_or(i64::MAX / 2);
    let rem = unix_secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    (
        format!("{year:04}-{month:02}-{day:02}"),
        format!("{:02}:{:02}:{:02}", rem / 3600, rem % 3600 / 60, rem % 60),
    )
}

/// (year, month 1-12, day 1-31) of the day `days` after 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    // Both are in range by construction (1..=31, 1..=12).
    (year, month as u32, day as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_dates() {
        assert_eq!(utc_secs(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc_secs(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(utc_secs(1_795_000_000), "2026-11-18T11:06:40Z");
    }

    #[test]
    fn utc_with_milliseconds() {
        assert_eq!(utc_millis(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(utc_millis(1_795_000_000_042), "2026-11-18T11:06:40.042Z");
        assert_eq!(utc_now_millis().len(), "2026-01-01T00:00:00.000Z".len());
        assert_eq!(utc_now_secs().len(), "2026-01-01T00:00:00Z".len());
    }

    #[test]
    fn civil_dates_around_leap_days_and_before_the_epoch() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(11_017), (2000, 3, 1));
        // 2100 is not a leap year.
        assert_eq!(civil_from_days(47_540), (2100, 2, 28));
        assert_eq!(civil_from_days(47_541), (2100, 3, 1));
    }
}
