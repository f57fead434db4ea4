//! The browser pages in real headless Chromium (through the DevTools protocol): a mediator and
//! two parties in three browser contexts finish a confidential mediation by clicking; a person
//! finishes an alternating-offers room against a built-in agent by clicking; the party pages'
//! DOM and every WebSocket frame they receive hold none of the other party's private numbers
//! (weights, values, reservation, reported floor), while the mediator does receive the floors
//! (so the check can see numbers). Screenshots of the party page, the mediator's console and
//! the observer's page at 1280×800 and 390×844 are taken and checked for content. A person
//! completes a single-text negotiation and a relay (with a person mediator holding and passing
//! offers) by clicking; a party sets its own preferences in the page (checked as typed, a live
//! preview, locked at the start, seen by the mediator and never by the other party), and the
//! mediator pauses, resumes and closes the room, every page showing it;
//! `BC_UPDATE_SCREENSHOTS=1` also writes them to `docs/screenshots/`.
//!
//! Skips only when no Chromium is installed and `BC_REQUIRE_BROWSER` is unset.

mod common;

use std::path::PathBuf;

use common::browser::*;
use common::cdp::{browser_or_skip, Browser, Page};
use common::*;
use serde_json::json;

fn cut6(x: f64) -> String {
    let s = x.to_string();
    let dot = s.find('.').unwrap();
    s[..(dot + 7).min(s.len())].to_string()
}

#[test]
fn confidential_mediation_to_agreement_by_clicking_in_three_browsers() {
    let Some(exe) = browser_or_skip() else { return };
    let (rt, addr) = server();
    let (domain, secrets) = deal([0.153846153, 0.141421356]);
    let spec = json!({"title": "Supply deal (confidential mediation)", "domain": domain, "protocol": "confidential",
        "parties": [{"by": "person"}, {"by": "person"}], "mediator": {"by": "person"}, "observers": 1, "steps": 10, "deadline_secs": 3600});
    let created = rt.block_on(create(addr, &spec));
    let browser = Browser::launch(&exe, "conf");
    let med = browser.page(1280, 800);
    let p0 = browser.page(1280, 800);
    let p1 = browser.page(1280, 800);
    let obs = browser.page(1280, 800);
    med.goto(&link(&created, "mediator"));
    p0.goto(&link(&created, "party:0"));
    p1.goto(&link(&created, "party:1"));
    obs.goto(&link(&created, "observer:0"));
    for p in [&med, &p0, &p1, &obs] {
        p.wait("document.getElementById('conn').textContent === 'live'", "the page to join its seat");
    }
    // The token left the address bar.
    assert!(!p0.eval("location.href").as_str().unwrap().contains('#'));
    // The mediator sees everyone online; the party sees its own preferences, not the other's.
    med.wait("document.querySelectorAll('#seats-body .pill.ok').length >= 3", "three seats online");
    assert!(p0.text().contains("Your preferences"));
    assert!(p0.text().contains("Walking away without agreement is worth 0.15"));
    assert!(!p0.text().contains("0.14"), "party 0's page shows a number of party 1's reservation");

    // A caucus note from the mediator to party 0 only.
    med.select("#caucus-to", "party:0");
    med.type_into("#caucus-text", "Tell me your real priorities <b>privately</b>.");
    med.click("#caucus-send");
    p0.wait("document.getElementById('caucus-list').innerText.includes('real priorities <b>privately</b>')", "the caucus note, as text");
    assert_eq!(p0.eval("document.querySelectorAll('#caucus-list b').length"), json!(0), "a message was inserted as markup");

    // Each party reports a floor, in confidence.
    p0.type_into("#floor", "0.123456789");
    p0.click("#do-report");
    p1.wait_for("#do-report");
    assert!(p1.text().contains("The other side") || p1.text().contains("Your move"));
    p1.type_into("#floor", "0.112358132");
    p1.click("#do-report");
    // The mediator sees both reports and the zone of agreement, then proposes the Nash package.
    med.wait("document.getElementById('zone').textContent.includes('Zone of agreement: yes')", "the zone indicator");
    let mt = med.text();
    assert!(mt.contains("floor 0.12") && mt.contains("floor 0.11"), "{mt}");
    med.wait("document.querySelector('[data-key=nash] .gives')", "what the Nash package gives each side");
    med.click("[data-key=nash] button");
    med.click("#do-builder");
    p0.wait_for("#do-vote-yes");
    // Votes are taken in party order: party 1 sees the proposal in the history meanwhile.
    p1.wait("document.getElementById('history-list').innerText.includes('The mediator proposed')", "the proposal on party 1's page");
    assert!(p1.text().contains("The other side is deciding"), "{}", p1.text());

    // Screenshots mid-negotiation: a proposal in front of the parties.
    let tmp = tmpdir("conf");
    shots(&p0, "party", &tmp);
    shots(&med, "mediator", &tmp);
    shots(&obs, "observer", &tmp);

    // The proposal is worth more than walking away to both: no warning; they accept by clicking.
    p0.click("#do-vote-yes");
    confirm_if_asked(&p0);
    p1.click("#do-vote-yes");
    confirm_if_asked(&p1);
    for p in [&med, &p0, &p1, &obs] {
        p.wait("document.getElementById('ended').innerText.includes('Agreement reached')", "the agreement banner");
    }
    // After the agreement: the post-settlement panel.
    med.wait("!document.getElementById('improvements-box').hidden", "the post-settlement improvements");
    let log = rt.block_on(http(addr, "GET", &format!("/api/v1/rooms/{}/events.jsonl", created["room"].as_str().unwrap()), ADMIN, ""));
    assert!(log.1.lines().count() >= 6, "{}", log.1);

    // Confidentiality: neither party's page or socket ever held the other's numbers or floor;
    // the observer held nobody's. The mediator did receive both floors (the check sees numbers).
    let (f0, f1) = (cut6(0.123456789), cut6(0.112358132));
    let mut s0 = secrets[0].clone();
    s0.push(f0.clone());
    let mut s1 = secrets[1].clone();
    s1.push(f1.clone());
    assert!(assert_no_leak(&p0, "party 0", &s1) > 5);
    assert_no_leak(&p1, "party 1", &s0);
    let all: Vec<String> = s0.iter().chain(&s1).cloned().collect();
    assert_no_leak(&obs, "the observer", &all);
    let mf = med.frames_received().join("\n");
    assert!(mf.contains(&f0) && mf.contains(&f1), "the mediator should receive both floors");
    let own = p0.frames_received().join("\n");
    assert!(secrets[0].iter().filter(|s| own.contains(s.as_str())).count() >= 4, "party 0 receives its own numbers");
    drop(browser);
    let _ = std::fs::remove_dir_all(tmp);
}

#[test]
fn alternating_offers_against_an_agent_to_agreement_by_clicking() {
    let Some(exe) = browser_or_skip() else { return };
    let (rt, addr) = server();
    let (domain, secrets) = deal([0.161803398, 0.173205080]);
    let spec = json!({"title": "Supply deal against an agent", "domain": domain, "protocol": "sao",
        "parties": [{"by": "person"}, {"by": "agent", "name": "conceder"}], "observers": 0, "steps": 16});
    let created = rt.block_on(create(addr, &spec));
    let browser = Browser::launch(&exe, "sao");
    let p = browser.page(390, 844);
    p.goto(&link(&created, "party:0"));
    p.wait("document.getElementById('conn').textContent === 'live'", "the page to join");
    // The builder starts at my best package and shows its worth to me live.
    let best = p.eval("document.getElementById('builder-u').textContent").as_str().unwrap().to_string();
    p.select("#b-0", "$90k");
    let changed = p.eval("document.getElementById('builder-u').textContent").as_str().unwrap().to_string();
    assert_ne!(best, changed, "the worth did not follow the builder");
    p.select("#b-0", "$120k");
    let mut rounds = 0;
    loop {
        p.wait("document.getElementById('ended').hidden === false || !document.getElementById('do-builder').disabled", "my turn");
        if p.eval("document.getElementById('ended').hidden") == json!(false) {
            break;
        }
        rounds += 1;
        assert!(rounds < 20, "no agreement after {rounds} turns");
        // Accept an offer worth at least my walk-away; otherwise repeat my offer.
        let before = p.eval("document.querySelectorAll('#history-list li[data-event]').length");
        let acceptable = p.eval("(() => { const w = document.querySelector('#front-body .worth-tag'); return !!w && !w.classList.contains('below') && document.getElementById('do-accept') !== null && Number(w.textContent.match(/worth ([0-9.]+)/)[1]) >= 0.5; })()");
        if acceptable == json!(true) {
            p.click("#do-accept");
            confirm_if_asked(&p);
        } else {
            p.click("#do-builder");
        }
        p.wait(&format!("document.querySelectorAll('#history-list li[data-event]').length > {before}"), "the move to register");
    }
    p.wait("document.getElementById('ended').innerText.includes('Agreement reached')", "an agreement");
    // The history lists the offers with my utility of each.
    assert!(p.eval("document.querySelectorAll('#history-list li[data-event=offer] .worth-tag').length").as_u64().unwrap() >= 2);
    assert_no_leak(&p, "the person", &secrets[1]);
    drop(browser);
}

#[test]
fn below_walk_away_warning_and_set_up_page() {
    let Some(exe) = browser_or_skip() else { return };
    let (_rt, addr) = server();
    let browser = Browser::launch(&exe, "setup");
    // A GeniusWeb domain to upload, where party 1's walk-away is high.
    let (domain, _) = deal([0.6, 0.1]);
    let dir = tmpdir("upload");
    let files: Vec<PathBuf> = ["domain.json", "a-profile.json", "b-profile.json"].iter().map(|f| dir.join(f)).collect();
    std::fs::write(&files[0], domain["domain"].as_str().unwrap()).unwrap();
    std::fs::write(&files[1], domain["profiles"][0].as_str().unwrap()).unwrap();
    std::fs::write(&files[2], domain["profiles"][1].as_str().unwrap()).unwrap();
    // The set-up page: an uploaded domain, one agent seat and one invited seat.
    let s = browser.page(1280, 800);
    s.goto(&format!("http://{addr}/new"));
    s.wait("document.querySelectorAll('#party-agents option').length > 5", "the agent list");
    // Only an agent seat asks for an agent's name; the embedded scenario needs no files.
    assert_eq!(
        s.eval(
            "document.getElementById('party0-agent').offsetParent === null && document.getElementById('domain-file').offsetParent === null"
        ),
        json!(true),
        "fields that do not apply are shown"
    );
    s.click("#create");
    s.wait("document.getElementById('form-msg').textContent.includes('Admin token')", "the missing-token message");
    s.type_into("#admin", ADMIN);
    s.select("#source", "geniusweb");
    s.set_files("#domain-file", &files[..1]);
    s.set_files("#profile-files", &files[1..]);
    s.select("#protocol", "sao");
    s.select("#party1-by", "agent");
    s.type_into("#party1-agent", "hardheaded");
    s.click("#create");
    s.wait("!document.getElementById('result').hidden", "the seat links");
    let link0 = s.eval("document.querySelector('[data-seat=\"party:0\"] input').value").as_str().unwrap().to_string();
    assert!(link0.contains("/room/") && link0.contains('#'), "{link0}");
    assert!(s.text().contains("agent hardheaded"));
    // The invited person opens the link; hardheaded offers only its best, which is below the
    // person's walk-away: accepting it asks first, and "go back" leaves the offer standing.
    let p = browser.page(1280, 800);
    p.goto(&link0);
    p.wait("document.getElementById('conn').textContent === 'live'", "the page to join");
    p.click("#do-builder");
    p.wait_for("#do-accept");
    let below = p.eval("document.querySelector('#front-body .worth-tag').classList.contains('below')");
    if below == json!(true) {
        p.click("#do-accept");
        p.wait("document.getElementById('confirm').open", "the below-walk-away warning");
        assert!(p.eval("document.getElementById('confirm-text').textContent").as_str().unwrap().contains("less than walking away"));
        p.click("#confirm-no");
        p.wait("!document.getElementById('confirm').open", "the warning to close");
        assert!(p.eval("document.getElementById('ended').hidden") == json!(true), "going back accepted anyway");
    } else {
        panic!("hardheaded's offer was expected below the walk-away: {}", p.text());
    }
    // Ending the talks asks too, then ends them for everyone.
    p.click("#do-end");
    p.click("#confirm-yes");
    p.wait("document.getElementById('ended').innerText.includes('ended without agreement')", "the end");
    // Back on the set-up page, the room is listed with its records to take home.
    let room = link0.split("/room/").nth(1).unwrap().split('#').next().unwrap().to_string();
    s.click("#rooms-list");
    s.wait(&format!("document.querySelector('#rooms-body tr[data-room=\"{room}\"]') !== null"), "the room in the list");
    s.click(&format!("#rooms-body tr[data-room=\"{room}\"] button[aria-label^=\"Download the report\"]"));
    s.wait(
        &format!("document.getElementById('rooms-msg').textContent === 'Downloaded report.html of room {room}.'"),
        "the report download",
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// Sets the weight of issue `k` (or the rating `k-j`) in the preferences editor.
fn set_points(p: &Page, field: &str, value: &str) {
    p.type_into(&format!("#{field}"), value);
}

#[test]
fn own_preferences_then_pause_resume_and_close_by_clicking() {
    let Some(exe) = browser_or_skip() else { return };
    let (rt, addr) = server();
    let (domain, _) = deal([0.2, 0.2]);
    let spec = json!({"title": "Supply deal (own preferences)", "domain": domain, "protocol": "relay", "editable_preferences": true,
        "parties": [{"by": "person"}, {"by": "person"}], "mediator": {"by": "person"}, "observers": 1, "steps": 10, "deadline_secs": 3600});
    let created = rt.block_on(create(addr, &spec));
    let browser = Browser::launch(&exe, "prefs");
    let (med, p0, p1, obs) = (browser.page(1280, 800), browser.page(1280, 800), browser.page(1280, 800), browser.page(1280, 800));
    med.goto(&link(&created, "mediator"));
    p0.goto(&link(&created, "party:0"));
    p1.goto(&link(&created, "party:1"));
    obs.goto(&link(&created, "observer:0"));
    for p in [&med, &p0, &p1, &obs] {
        p.wait("document.getElementById('conn').textContent === 'live'", "the page to join its seat");
    }
    // Party 0 edits: a sum that is not 100 is shown at once and refused; the preview follows.
    p0.wait_for("#w-0");
    assert!(p0.text().contains("The talks start once every party has saved"), "{}", p0.text());
    let preview = || p0.eval("document.getElementById('edit-preview-u').textContent").as_str().unwrap().to_string();
    p0.select("#b-0", "$90k");
    let before = preview();
    set_points(&p0, "w-0", "50");
    p0.wait("document.getElementById('edit-msg').textContent.includes('add up to')", "the sum warning");
    p0.click("#edit-save");
    p0.wait("document.getElementById('edit-msg').textContent.includes('must add up to 100')", "the refusal");
    for (f, v) in [("w-0", "41.234567"), ("w-1", "28.765433"), ("w-2", "20"), ("w-3", "10"), ("r-0-0", "3.141592")] {
        set_points(&p0, f, v);
    }
    p0.wait("document.getElementById('edit-msg').textContent === ''", "the points to be valid");
    assert_ne!(preview(), before, "the preview did not follow the points");
    let tmp = tmpdir("prefs");
    shots(&p0, "party-preferences", &tmp);
    p0.click("#edit-save");
    p0.wait("document.getElementById('edit-saved').textContent === 'Saved.'", "the save");
    // The mediator sees party 0's points; party 1 and the observer never do.
    med.wait("document.getElementById('medprefs-body').innerText.includes('41.234567')", "party 0's points on the console");
    assert!(med.text().contains("not saved yet"));
    p1.wait_for("#edit-save");
    p1.click("#edit-save");
    // The talks start: the editors close, the preferences are locked, party 0 is to move.
    p0.wait("document.getElementById('edit').hidden && document.getElementById('prefs-h').textContent.includes('locked')", "the lock");
    p0.wait_for("#do-builder");
    let secrets: Vec<String> = ["41.234567", "28.765433", "3.141592", "0.412345"].iter().map(|s| s.to_string()).collect();
    assert_no_leak(&p1, "party 1", &secrets);
    assert_no_leak(&obs, "the observer", &secrets);

    // The mediator pauses: every page says so, moves are held, the clock stops.
    med.click("#do-pause");
    for p in [&med, &p0, &p1, &obs] {
        p.wait("document.getElementById('paused').textContent.includes('Paused by the mediator')", "the paused banner");
    }
    p0.wait("document.getElementById('do-builder').disabled", "the held move");
    p0.wait("document.getElementById('clock').textContent.includes('stopped')", "the stopped clock");
    shots(&med, "mediator-paused", &tmp);
    // Resumed: party 0 offers; the mediator has it in front of it.
    med.click("#do-resume");
    p0.wait("document.getElementById('paused').hidden", "the banner to go");
    p0.click("#do-builder");
    med.wait_for("#do-pass");
    // Closing asks first, then ends the room for everyone.
    med.click("#do-close");
    med.click("#confirm-yes");
    for p in [&med, &p0, &p1, &obs] {
        p.wait("document.getElementById('ended').innerText.includes('closed by the mediator')", "the closed banner");
    }
    assert!(p1.text().contains("The mediator closed the room"), "{}", p1.text());
    drop(browser);
    let _ = std::fs::remove_dir_all(tmp);
}

/// Whether the talks have ended on `p`'s page.
fn ended(p: &Page) -> bool {
    p.eval("document.getElementById('ended').hidden") == json!(false)
}

/// The first of `buttons` that is visible and enabled on `p`.
fn ready_button(p: &Page, buttons: &[&str]) -> Option<String> {
    let list = serde_json::to_string(buttons).unwrap();
    let r = p.eval(&format!("{list}.find(s => {{ const e = document.querySelector(s); return e && !e.disabled && e.offsetParent !== null && !e.closest('[hidden]'); }}) || null"));
    r.as_str().map(str::to_string)
}

#[test]
fn single_text_as_a_party_by_clicking() {
    let Some(exe) = browser_or_skip() else { return };
    let (rt, addr) = server();
    let (domain, secrets) = deal([0.105263157, 0.117647058]);
    let spec = json!({"title": "Supply deal (single text)", "domain": domain, "protocol": "single-text",
        "parties": [{"by": "person"}, {"by": "agent", "name": "conceder"}], "observers": 0, "steps": 8});
    let created = rt.block_on(create(addr, &spec));
    let browser = Browser::launch(&exe, "st");
    let p = browser.page(390, 844);
    p.goto(&link(&created, "party:0"));
    p.wait("document.getElementById('conn').textContent === 'live'", "the page to join");
    let (mut votes, mut ratified) = (0, false);
    while !ended(&p) {
        p.wait(
            "document.getElementById('ended').hidden === false || document.querySelector('#do-vote-yes, #do-ratify-yes') !== null",
            "a vote",
        );
        if ended(&p) {
            break;
        }
        let before = p.eval("document.querySelectorAll('#history-list li[data-event]').length");
        if let Some(b) = ready_button(&p, &["#do-ratify-yes", "#do-vote-yes"]) {
            ratified |= b == "#do-ratify-yes";
            votes += 1;
            assert!(votes < 30, "no end after {votes} votes");
            // The draft in front of me comes with its worth to me.
            assert!(p.eval("document.querySelector('#front-body .worth-tag') !== null") == json!(true), "{}", p.text());
            p.click(&b);
            confirm_if_asked(&p);
            p.wait(&format!("document.getElementById('ended').hidden === false || document.querySelectorAll('#history-list li[data-event]').length > {before}"), "the vote to register");
        }
    }
    assert!(ratified, "the talks ended before the ratification: {}", p.text());
    p.wait("document.getElementById('ended').innerText.includes('Agreement reached')", "the agreement");
    // The single negotiating text card shows the adopted text and its history.
    assert!(p.eval("document.querySelectorAll('#text-history li').length").as_u64().unwrap() >= 2);
    assert!(p.text().contains("adopted:"), "{}", p.text());
    assert_no_leak(&p, "the person", &secrets[1]);
}

#[test]
fn relay_as_party_and_mediator_by_clicking() {
    let Some(exe) = browser_or_skip() else { return };
    let (rt, addr) = server();
    let (domain, secrets) = deal([0.105263157, 0.117647058]);
    let spec = json!({"title": "Supply deal (relay)", "domain": domain, "protocol": "relay",
        "parties": [{"by": "person"}, {"by": "agent", "name": "conceder"}], "mediator": {"by": "person"}, "observers": 0, "steps": 16});
    let created = rt.block_on(create(addr, &spec));
    let browser = Browser::launch(&exe, "relay");
    let (p, med) = (browser.page(1280, 800), browser.page(1280, 800));
    p.goto(&link(&created, "party:0"));
    med.goto(&link(&created, "mediator"));
    for x in [&p, &med] {
        x.wait("document.getElementById('conn').textContent === 'live'", "the page to join");
    }
    let (mut moves, mut held) = (0, false);
    while !ended(&p) {
        moves += 1;
        assert!(moves < 60, "no end after {moves} moves");
        std::thread::sleep(std::time::Duration::from_millis(150));
        if let Some(b) = ready_button(&med, &["#do-pass"]) {
            // The mediator holds back the first offer once, then passes everything on.
            let before = med.eval("document.querySelectorAll('#history-list li[data-event]').length");
            if !held {
                held = true;
                med.click("#do-hold");
            } else {
                med.click(&b);
            }
            med.wait(&format!("document.querySelectorAll('#history-list li[data-event]').length > {before}"), "the relay move");
        } else if ready_button(&p, &["#do-builder"]).is_some() {
            let before = p.eval("document.querySelectorAll('#history-list li[data-event]').length");
            let good = p.eval("(() => { const w = document.querySelector('#front-body .worth-tag'); return !!w && document.getElementById('do-accept') !== null && Number(w.textContent.match(/worth ([0-9.]+)/)[1]) >= 0.5; })()");
            if good == json!(true) {
                p.click("#do-accept");
                confirm_if_asked(&p);
            } else {
                p.click("#do-builder");
            }
            p.wait(&format!("document.getElementById('ended').hidden === false || document.querySelectorAll('#history-list li[data-event]').length > {before}"), "the party's move");
        }
    }
    p.wait("document.getElementById('ended').innerText.includes('Agreement reached')", "the agreement");
    med.wait("document.getElementById('ended').innerText.includes('Agreement reached')", "the agreement on the console");
    // The mediator saw the held offer; the party saw deliveries only.
    assert!(med.text().contains("The mediator held back"), "{}", med.text());
    assert!(p.text().contains("Delivered to You"), "{}", p.text());
    assert_no_leak(&p, "the person", &secrets[1]);
}
