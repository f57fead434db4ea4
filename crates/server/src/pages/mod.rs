//! The browser pages of `backchannel serve`, embedded in the binary: the room page at
//! `/room/ID` (a party's page, the mediator's console or an observer's page, by the seat of the
//! token in the link's fragment), the room set-up page at `/new`, their script and style sheet,
//! and the list of built-in agents the set-up page offers (`GET /api/v1/agents`). No CDN and no
//! build step: hand-written HTML, CSS and JavaScript, served with a strict Content-Security-Policy
//! (scripts and styles only from this server, no inline script), every room text inserted as
//! text.

use axum::extract::Path as UrlPath;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

const ROOM_HTML: &str = include_str!("room.html");
const NEW_HTML: &str = include_str!("new.html");
const ROOM_JS: &str = include_str!("room.js");
const NEW_JS: &str = include_str!("new.js");
const COMMON_JS: &str = include_str!("common.js");
const STUDY_JS: &str = include_str!("study.js");
const STYLE_CSS: &str = include_str!("style.css");

/// The pages' Content-Security-Policy: everything from this server only, no inline script.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

fn html(body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CONTENT_SECURITY_POLICY, CSP),
            (header::REFERRER_POLICY, "no-referrer"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

fn asset(kind: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, kind), (header::X_CONTENT_TYPE_OPTIONS, "nosniff"), (header::CACHE_CONTROL, "no-cache")], body).into_response()
}

async fn room_page(UrlPath(_id): UrlPath<String>) -> Response {
    html(ROOM_HTML)
}

async fn new_page() -> Response {
    html(NEW_HTML)
}

/// The built-in agents for party seats and the mediators of each mediated protocol, with their
/// parameters, as the set-up page lists them.
pub fn agents() -> serde_json::Value {
    use bc_protocol::ProtocolKind;
    let parties: Vec<serde_json::Value> = bc_strategy::registry::AGENTS
        .iter()
        .map(|a| serde_json::json!({"name": a.name, "params": a.params, "about": a.about, "single_text_only": a.voter_only}))
        .collect();
    let med = |k: ProtocolKind| -> Vec<serde_json::Value> {
        bc_strategy::registry::mediators(k).iter().map(|(n, p)| serde_json::json!({"name": n, "params": p})).collect()
    };
    serde_json::json!({
        "parties": parties,
        "mediators": {
            "single-text": med(ProtocolKind::SingleText),
            "relay": med(ProtocolKind::Relay),
            "confidential": med(ProtocolKind::Confidential),
        }
    })
}

/// The pages' routes, merged into the server's router.
pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/room/{id}", get(room_page))
        .route("/new", get(new_page))
        .route("/assets/room.js", get(|| async { asset("text/javascript; charset=utf-8", ROOM_JS) }))
        .route("/assets/new.js", get(|| async { asset("text/javascript; charset=utf-8", NEW_JS) }))
        .route("/assets/common.js", get(|| async { asset("text/javascript; charset=utf-8", COMMON_JS) }))
        .route("/assets/study.js", get(|| async { asset("text/javascript; charset=utf-8", STUDY_JS) }))
        .route("/assets/style.css", get(|| async { asset("text/css; charset=utf-8", STYLE_CSS) }))
        .route("/api/v1/agents", get(|| async { Json(agents()) }))
}
