//! Parsing of the `Retry-After` header (RFC 9110 §10.2.3).

use std::time::{Duration, SystemTime};

use http::{HeaderMap, StatusCode, header::RETRY_AFTER};

/// Returns true for the statuses whose `Retry-After` is honoured: 429 and 503.
pub(crate) fn honours_retry_after(status: StatusCode) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS || status == StatusCode::SERVICE_UNAVAILABLE
}

/// The delay a 429/503 response asks for, or `None` for other statuses and a missing or
/// unparsable header. An HTTP date in the past gives a zero delay.
pub(crate) fn retry_after(status: StatusCode, headers: &HeaderMap) -> Option<Duration> {
    if !honours_retry_after(status) {
        return None;
    }
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    parse(value, SystemTime::now())
}

/// Parses delay-seconds or an HTTP date relative to `now`.
fn parse(value: &str, now: SystemTime) -> Option<Duration> {
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_seconds_and_dates() {
        let now = httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        assert_eq!(parse("3", now), Some(Duration::from_secs(3)));
        let later = parse("Sun, 06 Nov 1994 08:50:07 GMT", now);
        assert_eq!(later, Some(Duration::from_secs(30)));
        let past = parse("Sun, 06 Nov 1994 08:00:00 GMT", now);
        assert_eq!(past, Some(Duration::ZERO));
        assert_eq!(parse("soon", now), None);
        assert_eq!(parse("-1", now), None);
    }

    #[test]
    fn only_429_and_503() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, "1".parse().unwrap());
        let ok = retry_after(StatusCode::TOO_MANY_REQUESTS, &headers);
        assert_eq!(ok, Some(Duration::from_secs(1)));
        assert_eq!(retry_after(StatusCode::BAD_GATEWAY, &headers), None);
    }
}
