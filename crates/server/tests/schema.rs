//! The committed JSON Schema of the wire protocol (`docs/serve.schema.json`) is the one the code
//! generates and names every message type (study mode's included); `BC_UPDATE_SCHEMA=1 cargo
//! test -p bc-server --test schema` rewrites it.

#[test]
fn committed_schema_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/serve.schema.json");
    let mut now = serde_json::to_string_pretty(&bc_server::wire::schema()).unwrap();
    now.push('\n');
    if std::env::var_os("BC_UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &now).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == now,
        "docs/serve.schema.json is out of date; regenerate it with BC_UPDATE_SCHEMA=1 cargo test -p bc-server --test schema"
    );
    // The schema names every client message type.
    for t in ["hello", "act", "say", "tools", "control", "preferences", "consent", "answers"] {
        assert!(now.contains(&format!("\"{t}\"")), "{t}");
    }
    // Each message type is a `const` of its direction's `type` (study mode's included).
    let schema = bc_server::wire::schema();
    let types = |part: &str| -> Vec<String> {
        let text = serde_json::to_string(&schema[part]).unwrap();
        text.split("\"const\":\"").skip(1).filter_map(|t| t.split('"').next()).map(str::to_string).collect()
    };
    let client = types("client_message");
    for t in ["hello", "act", "say", "tools", "control", "preferences", "consent", "answers"] {
        assert!(client.iter().any(|c| c == t), "client message {t} missing from {client:?}");
    }
    let server = types("server_message");
    for t in ["welcome", "event", "turn", "ack", "error", "control", "preferences", "waiting", "study", "round", "consent", "answers"] {
        assert!(server.iter().any(|c| c == t), "server message {t} missing from {server:?}");
    }
    let entries = types("log_entry");
    for t in ["created", "action", "consent", "round", "answers"] {
        assert!(entries.iter().any(|c| c == t), "log entry {t} missing from {entries:?}");
    }
}
