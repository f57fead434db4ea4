//! What the browser tests share: a server on a fresh SQLite file for a synchronous test, a
//! supply-deal domain whose parties' private numbers are known (to look for them where they
//! must not be), the check that a page's DOM and WebSocket frames hold none of them, seat
//! links, screenshots at laptop and phone width, and the below-walk-away confirmation.

use std::path::{Path, PathBuf};

use bc_model::{Discount, Issue, LinearAdditive, OutcomeSpace, Preferences, UtilityFunction, ValueFunction};
use serde_json::{json, Value as Json};

use super::cdp::Page;
use super::{start, temp_db};

/// A deterministic private number with 9 significant digits in [0.1, 0.9).
pub fn private(state: &mut u64) -> f64 {
    *state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    (100_000_000 + (*state >> 33) % 800_000_000) as f64 / 1e9
}

/// A four-issue supply deal as GeniusWeb texts, the parties' preferences drawn with 9-digit
/// private numbers, and every number of each party's profile (what must never reach the other).
pub fn deal(reservations: [f64; 2]) -> (Json, Vec<Vec<String>>) {
    let issues = [
        ("price", vec!["$90k", "$100k", "$110k", "$120k"]),
        ("delivery", vec!["2 weeks", "4 weeks", "6 weeks"]),
        ("warranty", vec!["none", "1 year", "2 years"]),
        ("payment", vec!["upfront", "30 days", "60 days"]),
    ];
    let space = OutcomeSpace::new(
        "supply",
        issues.iter().map(|(n, v)| Issue::categorical(*n, v.iter().map(|s| s.to_string()).collect()).unwrap()).collect(),
    )
    .unwrap();
    let mut state = 20_261_206;
    let mut profiles = Vec::new();
    let mut secrets = Vec::new();
    for (i, reservation) in reservations.iter().enumerate() {
        let raw_w: Vec<f64> = issues.iter().map(|_| private(&mut state)).collect();
        let total: f64 = raw_w.iter().sum();
        let w: Vec<f64> = raw_w.iter().map(|x| x / total).collect();
        // Party 0 likes the later values of each issue, party 1 the earlier ones: opposed.
        let vf: Vec<ValueFunction> = issues
            .iter()
            .map(|(_, vals)| {
                let n = vals.len();
                let mut v: Vec<f64> = (0..n).map(|k| (k as f64 + private(&mut state)) / n as f64).collect();
                if i == 1 {
                    v.reverse();
                }
                let max = v.iter().fold(0.0f64, |a, x| a.max(*x));
                ValueFunction::Table(v.iter().map(|x| x / max).collect())
            })
            .collect();
        let f = LinearAdditive::new(&space, 0.0, w, vf).unwrap();
        let p = Preferences {
            name: format!("side {}", i + 1),
            utility: UtilityFunction::LinearAdditive(f),
            reserved_value: *reservation,
            discount: Discount::None,
        };
        let text = bc_formats::geniusweb::write_profile(&space, &p).unwrap();
        let mut nums = numbers_in(&text);
        nums.push(reservation.to_string());
        secrets.push(nums);
        profiles.push(text);
    }
    let domain = json!({"format": "geniusweb", "domain": bc_formats::geniusweb::write_domain(&space).unwrap(), "profiles": profiles});
    (domain, secrets)
}

/// Every number with at least 6 decimals in `text`, cut to 6 decimals ("0.123456"): a private
/// number shows up under that prefix however it is printed at full precision.
pub fn numbers_in(text: &str) -> Vec<String> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut k = 0;
    while k < b.len() {
        if b[k].is_ascii_digit() && (k == 0 || !b[k - 1].is_ascii_digit() && b[k - 1] != b'.') {
            let start = k;
            while k < b.len() && (b[k].is_ascii_digit() || b[k] == b'.') {
                k += 1;
            }
            let s = &text[start..k];
            if let Some(dot) = s.find('.') {
                if s.len() - dot > 6 {
                    out.push(s[..dot + 7].to_string());
                }
            }
        } else {
            k += 1;
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Asserts that none of `secrets` appears in `page`'s DOM or in any WebSocket frame it received.
pub fn assert_no_leak(page: &Page, who: &str, secrets: &[String]) -> usize {
    let frames = page.frames_received();
    assert!(frames.iter().any(|f| f.contains("\"welcome\"")), "{who}: the page's frames were not recorded");
    let dom = page.html();
    for s in secrets {
        for f in &frames {
            assert!(!f.contains(s.as_str()), "{who} received the other party's private number {s} in {f}");
        }
        assert!(!dom.contains(s.as_str()), "{who}'s page shows the other party's private number {s}");
    }
    frames.len()
}

pub fn server() -> (tokio::runtime::Runtime, std::net::SocketAddr) {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let addr = rt.block_on(start(temp_db(&format!("pages-{}", rand_suffix()))));
    (rt, addr)
}

pub fn rand_suffix() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 % 1_000_000_007
}

pub fn link(created: &Json, seat: &str) -> String {
    created["seats"].as_array().unwrap().iter().find(|s| s["seat"] == seat).unwrap()["link"].as_str().unwrap().to_string()
}

/// Takes the screenshot `name` at 1280×800 and 390×844, checks it has content, and keeps it in
/// `docs/screenshots/` under `BC_UPDATE_SCREENSHOTS`.
pub fn shots(page: &Page, name: &str, tmp: &Path) {
    for (w, h) in [(1280, 800), (390, 844)] {
        page.resize(w, h);
        page.eval("window.scrollTo(0, 0)");
        std::thread::sleep(std::time::Duration::from_millis(300));
        let file = format!("{name}-{w}.png");
        let png = page.screenshot(&tmp.join(&file));
        assert_eq!(&png[1..4], b"PNG");
        assert!(png.len() > 20_000, "{file}: {} bytes looks blank", png.len());
        // Nothing wider than the screen: no sideways scrolling on a phone.
        let overflow = page.eval("document.documentElement.scrollWidth - window.innerWidth");
        assert!(overflow.as_i64().unwrap_or(0) <= 0, "{file}: the page is {overflow} px wider than the screen");
        if std::env::var_os("BC_UPDATE_SCREENSHOTS").is_some() {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots");
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join(&file), &png).unwrap();
        }
    }
    page.resize(1280, 800);
}

pub fn tmpdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("bc-pages-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Clicks "accept anyway" if the below-walk-away warning opened.
pub fn confirm_if_asked(p: &Page) {
    std::thread::sleep(std::time::Duration::from_millis(200));
    if p.eval("document.getElementById('confirm').open") == json!(true) {
        p.click("#confirm-yes");
    }
}
