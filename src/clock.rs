//! Wall-clock time in UTC: the current year, timestamps, and dates as Catalan reads them.

use time::{Date, Month, OffsetDateTime};

pub fn now_secs() -> u64 {
    u64::try_from(OffsetDateTime::now_utc().unix_timestamp()).unwrap_or(0)
}

fn utc(secs: u64) -> OffsetDateTime {
    i64::try_from(secs)
        .ok()
        .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok())
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

pub fn current_year() -> u16 {
    u16::try_from(OffsetDateTime::now_utc().year()).unwrap_or(2026)
}

/// "2026-11-29T15:30:00Z"
pub fn timestamp(secs: u64) -> String {
    let t = utc(secs);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// "20261129T153000", for names that sort by time.
pub fn compact(secs: u64) -> String {
    timestamp(secs).replace(['-', ':', 'Z'], "")
}

const MONTHS: [&str; 12] = [
    "de gener",
    "de febrer",
    "de març",
    "d'abril",
    "de maig",
    "de juny",
    "de juliol",
    "d'agost",
    "de setembre",
    "d'octubre",
    "de novembre",
    "de desembre",
];

/// "2023-09-21" → "21 de setembre de 2023"; anything that is not a date is returned unchanged.
pub fn catalan_date(iso: &str) -> String {
    let number = |range: std::ops::Range<usize>| iso.get(range)?.parse::<u16>().ok();
    let date = match (number(0..4), number(5..7), number(8..10)) {
        (Some(y), Some(m), Some(d)) => Month::try_from(m as u8)
            .ok()
            .and_then(|m| Date::from_calendar_date(i32::from(y), m, d as u8).ok()),
        _ => None,
    };
    match date {
        Some(d) => format!(
            "{} {} de {}",
            d.day(),
            MONTHS[usize::from(u8::from(d.month())) - 1],
            d.year()
        ),
        None => iso.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_unix_seconds_to_utc_timestamps() {
        assert_eq!(timestamp(0), "1970-01-01T00:00:00Z");
        assert_eq!(timestamp(1_695_254_400), "2023-09-21T00:00:00Z");
        assert_eq!(timestamp(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(compact(1_695_254_401), "20230921T000001");
    }

    #[test]
    fn dates_read_in_catalan() {
        assert_eq!(catalan_date("2023-09-21"), "21 de setembre de 2023");
        assert_eq!(catalan_date("2023-10-05"), "5 d'octubre de 2023");
        assert_eq!(catalan_date("2023-10-05T10:00:00Z"), "5 d'octubre de 2023");
        assert_eq!(catalan_date("2023-02-30"), "2023-02-30");
        assert_eq!(catalan_date("des de 2019"), "des de 2019");
    }
}
