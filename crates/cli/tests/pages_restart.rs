//! The room pages survive the server: `backchannel serve` (a child process on a SQLite file) is
//! killed with SIGKILL in the middle of a confidential mediation with a mediator, two parties and
//! an observer in headless Chromium; restarted on the same port, every page reconnects by itself
//! and shows exactly what it showed before, and the negotiation then finishes by clicking.
//!
//! Skips only when no Chromium is installed and `BC_REQUIRE_BROWSER` is unset.

#[path = "../../server/tests/common/cdp.rs"]
mod cdp;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

use cdp::{browser_or_skip, Browser, Page};
use serde_json::{json, Value as Json};

const ADMIN: &str = "pages-restart-admin-token-0123456789abcdef";

fn itex() -> Json {
    let d = |f: &str| {
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/genius/ItexvsCypress").join(f))
            .unwrap()
    };
    json!({"format": "genius", "domain": d("ItexvsCypress_domain.xml"), "profiles": [d("ItexvsCypress_Cypress.xml"), d("ItexvsCypress_Itex.xml")]})
}

fn serve(addr: &str, database: &str) -> Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_backchannel"))
        .args(["serve", "--addr", addr, "--database", database, "--no-demo"])
        .env("BC_ADMIN_TOKEN", ADMIN)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    assert!(first.starts_with("listening on http://"), "unexpected first line {first:?}");
    child
}

fn create(addr: &str, spec: &Json) -> Json {
    let body = spec.to_string();
    let mut s = TcpStream::connect(addr).unwrap();
    write!(s, "POST /api/v1/rooms HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {ADMIN}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    assert!(out.starts_with("HTTP/1.1 201"), "{out}");
    let body = out.split_once("\r\n\r\n").unwrap().1;
    let start = body.find('{').unwrap();
    let end = body.rfind('}').unwrap();
    serde_json::from_str(&body[start..=end]).unwrap()
}

fn link(created: &Json, seat: &str) -> String {
    created["seats"].as_array().unwrap().iter().find(|s| s["seat"] == seat).unwrap()["link"].as_str().unwrap().to_string()
}

/// What a page shows of the room (everything in its main area and the end banner).
fn state(p: &Page) -> String {
    p.eval("document.getElementById('main').innerText + '\\n' + document.getElementById('ended').innerText").as_str().unwrap().to_string()
}

#[test]
fn killed_server_restarts_and_every_page_comes_back_to_its_state() {
    let Some(exe) = browser_or_skip() else { return };
    let dir = std::env::temp_dir().join(format!("bc-pages-restart-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let database = format!("sqlite://{}", dir.join("rooms.sqlite").display());
    // A free port, kept for the restart.
    let addr = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().to_string();
    let mut server = serve(&addr, &database);
    let spec = json!({"title": "Itex v Cypress", "domain": itex(), "protocol": "confidential",
        "parties": [{"by": "person"}, {"by": "person"}], "mediator": {"by": "person"}, "observers": 1, "steps": 10});
    let created = create(&addr, &spec);
    let browser = Browser::launch(&exe, "restart");
    let pages: Vec<(&str, Page)> = ["mediator", "party:0", "party:1", "observer:0"].iter().map(|s| (*s, browser.page(1280, 800))).collect();
    for (seat, p) in &pages {
        p.goto(&link(&created, seat));
        p.wait("document.getElementById('conn').textContent === 'live'", "the page to join");
    }
    let (med, p0, p1) = (&pages[0].1, &pages[1].1, &pages[2].1);
    // Mid-negotiation: both floors reported, a caucus note, the mediator's proposal under vote.
    p0.type_into("#floor", "0.2");
    p0.click("#do-report");
    p1.type_into("#floor", "0.25");
    p1.click("#do-report");
    med.wait("document.getElementById('zone').textContent.includes('Zone of agreement: yes')", "the zone indicator");
    med.type_into("#caucus-text", "A proposal is coming.");
    med.click("#caucus-send");
    p0.wait("document.getElementById('caucus-list').innerText.includes('A proposal is coming.')", "the note");
    med.click("[data-key=nash] button");
    med.click("#do-builder");
    p0.wait_for("#do-vote-yes");
    med.wait("document.querySelectorAll('#seats-body .pill.ok').length === 4", "every seat online");
    std::thread::sleep(std::time::Duration::from_millis(500));
    let before: Vec<String> = pages.iter().map(|(_, p)| state(p)).collect();

    // kill -9 and restart on the same port and database.
    server.kill().unwrap(); // SIGKILL
    server.wait().unwrap();
    for (_, p) in &pages {
        p.wait("document.getElementById('conn').textContent === 'reconnecting'", "the page to notice the lost server");
    }
    let mut server = serve(&addr, &database);
    for (i, (seat, p)) in pages.iter().enumerate() {
        p.wait("document.getElementById('conn').textContent === 'live'", "the page to reconnect by itself");
        let t = std::time::Instant::now();
        while state(p) != before[i] && t.elapsed() < std::time::Duration::from_secs(15) {
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
        assert_eq!(state(p), before[i], "{seat}: the page after reconnecting differs from before the kill");
    }
    // The negotiation goes on: both parties accept, every page shows the agreement.
    p0.click("#do-vote-yes");
    p1.wait_for("#do-vote-yes");
    p1.click("#do-vote-yes");
    for (_, p) in &pages {
        p.wait("document.getElementById('ended').innerText.includes('Agreement reached')", "the agreement");
    }
    drop(browser);
    let _ = server.kill();
    let _ = server.wait();
    let _ = std::fs::remove_dir_all(dir);
}
