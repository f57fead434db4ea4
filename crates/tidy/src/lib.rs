//! bc-tidy holds no code: its tests (`tests/tidy.rs`) check the invariants ARCHITECTURE.md
//! states, over the repository's files and `cargo metadata`.
