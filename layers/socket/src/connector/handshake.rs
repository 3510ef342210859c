//! Completes an upgrade request with the handshake headers the caller did not set.

use http::header::{CONNECTION, HOST, SEC_WEBSOCKET_KEY, SEC_WEBSOCKET_VERSION, UPGRADE};
use http::{HeaderValue, Request};
use tokio_tungstenite::tungstenite::error::UrlError;
use tokio_tungstenite::tungstenite::handshake::client::generate_key;
use tokio_tungstenite::tungstenite::{self, Error};

/// Fills in `Host`, `Connection`, `Upgrade`, `Sec-WebSocket-Version` and `Sec-WebSocket-Key`
/// where missing; every other header is kept as is.
pub(super) fn complete(mut req: Request<()>) -> Result<Request<()>, tungstenite::Error> {
    let host = host(&req)?;
    let headers = req.headers_mut();
    headers.entry(HOST).or_insert(host);
    headers
        .entry(CONNECTION)
        .or_insert(HeaderValue::from_static("Upgrade"));
    headers
        .entry(UPGRADE)
        .or_insert(HeaderValue::from_static("websocket"));
    headers
        .entry(SEC_WEBSOCKET_VERSION)
        .or_insert(HeaderValue::from_static("13"));
    if !headers.contains_key(SEC_WEBSOCKET_KEY) {
        let key = HeaderValue::from_str(&generate_key()).map_err(http::Error::from)?;
        headers.insert(SEC_WEBSOCKET_KEY, key);
    }
    Ok(req)
}

/// The `Host` value: the URI authority without user info. Checks the scheme too.
fn host(req: &Request<()>) -> Result<HeaderValue, tungstenite::Error> {
    let scheme = req.uri().scheme_str().unwrap_or_default();
    if !scheme.eq_ignore_ascii_case("ws") && !scheme.eq_ignore_ascii_case("wss") {
        return Err(Error::Url(UrlError::UnsupportedUrlScheme));
    }
    let authority = req
        .uri()
        .authority()
        .ok_or(Error::Url(UrlError::NoHostName))?
        .as_str();
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    if host.is_empty() {
        return Err(Error::Url(UrlError::EmptyHostName));
    }
    Ok(HeaderValue::from_str(host).map_err(http::Error::from)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_missing_headers_and_keeps_custom_ones() {
        let req = Request::get("ws://user:pw@localhost:9000/socket?x=1")
            .header("x-custom", "1")
            .header("sec-websocket-version", "13")
            .body(())
            .unwrap();
        let req = complete(req).unwrap();
        let h = req.headers();
        assert_eq!(h["host"], "localhost:9000");
        assert_eq!(h["connection"], "Upgrade");
        assert_eq!(h["upgrade"], "websocket");
        assert_eq!(h.get_all("sec-websocket-version").iter().count(), 1);
        assert_eq!(h["sec-websocket-key"].len(), 24);
        assert_eq!(h["x-custom"], "1");
    }

    #[test]
    fn rejects_bad_uris() {
        let req = Request::get("/socket").body(()).unwrap();
        let err = complete(req).unwrap_err();
        assert!(matches!(err, Error::Url(UrlError::UnsupportedUrlScheme)));
        let req = Request::get("https://example.com/").body(()).unwrap();
        let err = complete(req).unwrap_err();
        assert!(matches!(err, Error::Url(UrlError::UnsupportedUrlScheme)));
    }
}
