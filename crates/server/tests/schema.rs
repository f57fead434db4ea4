//! The committed JSON Schema of the wire protocol (`docs/serve.schema.json`) is the one the code
//! generates; `BC_UPDATE_SCHEMA=1 cargo test -p bc-server --test schema` rewrites it.

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
}
