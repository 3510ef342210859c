use http::HeaderValue;
use pretty_assertions::assert_eq;

use super::*;

#[test]
fn backoff_doubles_with_jitter_and_stops() {
    let backoff = Backoff::default();
    for (retry, nominal) in [(1, 200), (2, 400), (3, 800), (4, 1600)] {
        let delay = backoff.delay(retry).unwrap().as_secs_f64() * 1000.0;
        let nominal = f64::from(nominal);
        assert!(
            (nominal * 0.9..nominal * 1.1).contains(&delay),
            "{retry}: {delay}"
        );
    }
    assert_eq!(backoff.delay(0), None);
    assert_eq!(backoff.delay(5), None);
    let capped = Backoff {
        max_retries: 30,
        ..Backoff::default()
    };
    assert_eq!(capped.delay(30), Some(Duration::from_secs(10)));
}

#[test]
fn server_delays_win_up_to_the_cap() {
    let backoff = Backoff::default();
    assert_eq!(
        backoff.next(1, Some(Duration::from_secs(3))),
        Some(Duration::from_secs(3))
    );
    assert_eq!(backoff.next(1, Some(Duration::from_secs(61))), None);
    assert_eq!(backoff.next(5, Some(Duration::from_secs(1))), None);
    assert_eq!(Backoff::none().next(1, None), None);
}

#[test]
fn retry_after_seconds_fractions_and_dates() {
    let now = httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
    assert_eq!(parse_retry_after("3", now), Some(Duration::from_secs(3)));
    assert_eq!(
        parse_retry_after(" 0.25 ", now),
        Some(Duration::from_millis(250))
    );
    let later = parse_retry_after("Sun, 06 Nov 1994 08:50:07 GMT", now);
    assert_eq!(later, Some(Duration::from_secs(30)));
    let past = parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now);
    assert_eq!(past, Some(Duration::ZERO));
    for bad in ["soon", "-1", "NaN", "inf", ""] {
        assert_eq!(parse_retry_after(bad, now), None, "{bad}");
    }
}

#[test]
fn server_delay_reads_headers_then_the_body() {
    let mut headers = HeaderMap::new();
    let body = br#"{"error":{"message":"Please try again in 28ms."}}"#;
    assert_eq!(
        server_delay(&headers, body),
        Some(Duration::from_millis(28))
    );
    headers.insert("retry-after-ms", HeaderValue::from_static("1500"));
    assert_eq!(
        server_delay(&headers, body),
        Some(Duration::from_millis(1500))
    );
    headers.insert(RETRY_AFTER, HeaderValue::from_static("2"));
    assert_eq!(server_delay(&headers, body), Some(Duration::from_secs(2)));
    assert_eq!(server_delay(&HeaderMap::new(), b"slow down"), None);
}

#[test]
fn parses_the_units_the_protocol_names() {
    let cases = [
        (
            "Please try again in 11.054s.",
            Some(Duration::from_millis(11_054)),
        ),
        ("Please try again in 28ms.", Some(Duration::from_millis(28))),
        (
            "please TRY AGAIN IN 2 seconds",
            Some(Duration::from_secs(2)),
        ),
        ("Try again in 1 second.", Some(Duration::from_secs(1))),
        ("try again in   35 s", Some(Duration::from_secs(35))),
        ("try again in1.5ms", Some(Duration::from_micros(1500))),
        ("try again in 0s", Some(Duration::ZERO)),
    ];
    for (message, expected) in cases {
        assert_eq!(parse_retry_delay(message), expected, "{message}");
    }
}

#[test]
fn rejects_other_shapes() {
    let cases = [
        "try again later",
        "try again in a minute",
        "try again in 5 minutes",
        "try again in .5s",
        "try again in 5.s",
        "try again in -1s",
        "rate limit reached",
        "",
    ];
    for message in cases {
        assert_eq!(parse_retry_delay(message), None, "{message}");
    }
}

#[test]
fn first_parsable_phrase_wins() {
    let message = "Try again in a bit. Or try again in 3s, not try again in 9s.";
    assert_eq!(parse_retry_delay(message), Some(Duration::from_secs(3)));
}

#[test]
fn survives_huge_values_and_non_ascii_text() {
    let huge = format!("try again in {}s", "9".repeat(400));
    assert_eq!(parse_retry_delay(&huge), None);
    assert_eq!(
        parse_retry_delay("Überlastet — try again in 2s ✓"),
        Some(Duration::from_secs(2))
    );
}
