//! Study mode in real headless Chromium (through the DevTools protocol): the set-up page makes a
//! study room from the pasted example study file (`docs/study-example.toml`); two persons see
//! the consent text and nothing else of the room, agree, play the practice round and two counted
//! rounds by clicking (each a fresh negotiation), answer the questionnaire after each (a required
//! question left out is named before anything is sent), and see the completion link and code;
//! neither page's DOM or WebSocket frames ever hold the other's answers or private numbers or the
//! study's admin-only settings, nor does the observer's (which follows where the study is); the admin downloads the study data from the room list. A person
//! who declines gets a polite end, the other "this session cannot go ahead". Screenshots of the
//! consent and the questionnaire at 1280×800 and 390×844 (`BC_UPDATE_SCREENSHOTS=1` writes them
//! to `docs/screenshots/`).
//!
//! Skips only when no Chromium is installed and `BC_REQUIRE_BROWSER` is unset.

mod common;

use std::path::{Path, PathBuf};

use common::browser::*;
use common::cdp::{browser_or_skip, Page};
use common::*;
use serde_json::json;

fn example() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/study-example.toml")).unwrap()
}

/// Answers the open questionnaire on `p`: the scale's `scale`-th point, the choice's first
/// option, and `text` in the free text; then sends it.
fn answer(p: &Page, scale: usize, text: &str) {
    p.wait_for("#q-send");
    p.click(&format!("label[for=q0-{}]", scale - 1));
    p.click("label[for=q1-0]");
    p.type_into("#q2", text);
    p.wait(
        &format!("document.getElementById('q2-count').textContent.startsWith('{} of 300')", text.chars().count()),
        "the character count",
    );
    p.click("#q-send");
}

#[test]
fn two_persons_consent_practise_play_two_counted_rounds_answer_and_finish() {
    let Some(exe) = browser_or_skip() else { return };
    let (_rt, addr) = server();
    let (domain, secrets) = deal([0.161803398, 0.173205080]);
    let dir = tmpdir("study-upload");
    let files: Vec<PathBuf> = ["domain.json", "a-profile.json", "b-profile.json"].iter().map(|f| dir.join(f)).collect();
    std::fs::write(&files[0], domain["domain"].as_str().unwrap()).unwrap();
    std::fs::write(&files[1], domain["profiles"][0].as_str().unwrap()).unwrap();
    std::fs::write(&files[2], domain["profiles"][1].as_str().unwrap()).unwrap();
    let browser = common::cdp::Browser::launch(&exe, "study");

    // The set-up page: an uploaded domain, two invited persons, the study file pasted.
    let s = browser.page(1280, 800);
    s.goto(&format!("http://{addr}/new"));
    s.wait("document.querySelectorAll('#party-agents option').length > 5", "the agent list");
    s.type_into("#admin", ADMIN);
    s.select("#source", "geniusweb");
    s.set_files("#domain-file", &files[..1]);
    s.set_files("#profile-files", &files[1..]);
    s.select("#protocol", "sao");
    s.select("#party1-by", "person");
    assert_eq!(s.eval("document.getElementById('study-text').offsetParent === null"), json!(true), "the study fields show before asked");
    s.click("#study-on");
    // A study with a time limit is refused on the page, with the reason.
    s.type_into("#minutes", "30");
    s.type_into("#study-text", &example());
    s.click("#create");
    s.wait("document.getElementById('form-msg').textContent.includes('a study room has no time limit')", "the time-limit refusal");
    s.type_into("#minutes", "");
    s.eval("document.getElementById('minutes').value = ''");
    s.click("#create");
    s.wait("!document.getElementById('result').hidden", "the seat links");
    let link_of =
        |seat: &str| s.eval(&format!("document.querySelector('[data-seat=\"{seat}\"] input').value")).as_str().unwrap().to_string();
    let (l0, l1, lo) = (link_of("party:0"), link_of("party:1"), link_of("observer:0"));
    let room = l0.split("/room/").nth(1).unwrap().split('#').next().unwrap().to_string();

    // Each person sees the consent text, and nothing else of the room.
    let p0 = browser.page(1280, 800);
    let p1 = browser.page(390, 844);
    let obs = browser.page(1280, 800);
    p0.goto(&l0);
    p1.goto(&l1);
    obs.goto(&lo);
    for p in [&p0, &p1] {
        p.wait("document.getElementById('conn').textContent === 'live'", "the page to join its seat");
        p.wait_for("#consent-yes");
        assert!(p.text().contains("Negotiation Lab"), "{}", p.text());
        assert_eq!(p.eval("document.getElementById('main').hidden"), json!(true), "the room shows before the consent");
        let t = p.text();
        assert!(!t.contains("price") && !t.contains("warranty") && !t.contains("Your preferences"), "{t}");
        assert!(
            p.frames_received().iter().any(|f| f.contains("\"welcome\"") && f.contains("\"you\":null")),
            "a profile before the consent"
        );
    }
    let tmp = tmpdir("study-shots");
    shots(&p0, "study-consent", &tmp);
    p0.click("#consent-yes");
    p0.wait("document.getElementById('study-wait') && document.getElementById('study-wait').textContent.includes('once every participant has agreed')", "the wait for the other");
    p1.click("#consent-yes");

    // The observer follows where the study is, and nothing more of it.
    obs.wait(
        "document.getElementById('study-status').textContent.includes('Practice round — being negotiated')",
        "the observer's study line",
    );

    // The practice round and two counted rounds: party 0 offers its best, party 1 accepts.
    for (k, label) in ["Practice round", "Round 1 of 2", "Round 2 of 2"].iter().enumerate() {
        for p in [&p0, &p1] {
            p.wait(&format!("document.getElementById('study-h').textContent === '{label}'"), label);
        }
        assert!(p1.text().contains(label) && p1.text().contains("step 1 of 20"), "{}", p1.text());
        p0.wait("document.getElementById('do-builder') && !document.getElementById('do-builder').disabled", "party 0's turn");
        p0.click("#do-builder");
        p1.wait_for("#do-accept");
        p1.click("#do-accept");
        confirm_if_asked(&p1);
        for p in [&p0, &p1] {
            p.wait("document.getElementById('q-form') !== null", "the questionnaire");
            assert!(p.text().contains("Agreement reached"), "{}", p.text());
        }
        if k == 0 {
            // A required question left out is named before anything is sent.
            p0.click("#q-send");
            p0.wait("document.getElementById('q-msg').textContent.includes('Please answer: How satisfied')", "the missing answer");
            shots(&p0, "study-questionnaire", &tmp);
        }
        answer(&p0, 5, &format!("P0-ANSWER-r{k}-zx"));
        p0.wait("document.getElementById('study-wait') !== null", "the wait after answering");
        if k < 2 {
            assert!(p0.text().contains("The next round starts once every participant has answered"), "{}", p0.text());
        }
        answer(&p1, 2, &format!("P1-ANSWER-r{k}-qv"));
    }

    // The end: the completion link and code.
    for p in [&p0, &p1] {
        p.wait("document.getElementById('completion-link') !== null", "the completion link");
        assert_eq!(p.eval("document.getElementById('completion-link').href"), json!("https://example.org/study/complete?cc=NEG-7F3K"));
        assert_eq!(p.eval("document.getElementById('completion-code').textContent"), json!("NEG-7F3K"));
        assert_eq!(p.eval("document.getElementById('conn').textContent"), json!("ended"));
    }

    // Neither page ever held the other's answers or private numbers, nor the admin's settings.
    let admin_only = ["anchor-high".to_string(), "Pilot session 3".to_string()];
    let mut hidden0: Vec<String> = secrets[1].clone();
    hidden0.extend(admin_only.iter().cloned().chain(["P1-ANSWER".to_string()]));
    let mut hidden1: Vec<String> = secrets[0].clone();
    hidden1.extend(admin_only.iter().cloned().chain(["P0-ANSWER".to_string()]));
    assert!(assert_no_leak(&p0, "party 0", &hidden0) > 10);
    assert_no_leak(&p1, "party 1", &hidden1);
    let everything: Vec<String> = hidden0.iter().chain(&hidden1).cloned().chain(["P0-ANSWER".into(), "NEG-7F3K".into()]).collect();
    assert_no_leak(&obs, "the observer", &everything);
    assert!(obs.text().contains("Study: Round 2 of 2 — the study is complete"), "{}", obs.text());
    assert!(p0.frames_received().iter().any(|f| f.contains("P0-ANSWER-r2-zx")), "party 0's own answers should reach it");

    // The admin takes the study data home from the room list.
    s.click("#rooms-list");
    s.wait(&format!("document.querySelector('#rooms-body tr[data-room=\"{room}\"]') !== null"), "the room in the list");
    s.click(&format!("#rooms-body tr[data-room=\"{room}\"] button[aria-label^=\"Download the study data\"]"));
    s.wait(
        &format!("document.getElementById('rooms-msg').textContent === 'Downloaded study.json of room {room}.'"),
        "the study data download",
    );
    drop(browser);
    let _ = std::fs::remove_dir_all(tmp);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn declining_ends_politely_and_calls_the_session_off() {
    let Some(exe) = browser_or_skip() else { return };
    let (rt, addr) = server();
    let (domain, _) = deal([0.2, 0.2]);
    let spec = json!({"title": "Study", "domain": domain, "protocol": "sao", "steps": 10,
        "parties": [{"by": "person"}, {"by": "person"}], "study": {"toml": example()}});
    let created = rt.block_on(create(addr, &spec));
    let browser = common::cdp::Browser::launch(&exe, "decline");
    let (p0, p1) = (browser.page(390, 844), browser.page(390, 844));
    p0.goto(&link(&created, "party:0"));
    p1.goto(&link(&created, "party:1"));
    p0.click("#consent-no");
    p0.wait("document.getElementById('confirm').open", "the question before declining");
    p0.click("#confirm-yes");
    p0.wait("document.getElementById('study').innerText.includes('You chose not to take part')", "the polite end");
    p1.wait("document.getElementById('study-h').textContent === 'This session cannot go ahead'", "the session called off");
    for p in [&p0, &p1] {
        assert_eq!(p.eval("document.getElementById('main').hidden"), json!(true));
        p.wait("document.getElementById('conn').textContent === 'ended'", "the end");
    }
}
