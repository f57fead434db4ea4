//! A small Chrome DevTools Protocol client for the browser tests: starts headless Chromium
//! (Debian's `chromium`, or `BC_CHROMIUM`), opens pages in separate browser contexts (like
//! separate people), clicks with real mouse events, types, reads the DOM, records every WebSocket
//! frame a page receives and takes screenshots. Skips only when no Chromium is installed and
//! `BC_REQUIRE_BROWSER` is unset (as bc-studies' browser test does); CI sets it.
#![allow(dead_code)]

use std::cell::RefCell;
use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::rc::Rc;
use std::time::{Duration, Instant};

use serde_json::{json, Value as Json};
use tokio_tungstenite::tungstenite::stream::MaybeTlsStream;
use tokio_tungstenite::tungstenite::{connect, Message, WebSocket};

#[path = "../../../studies/tests/common/chromium.rs"]
mod chromium;
// Used by the page tests, not by every test binary that includes this module.
#[allow(unused_imports)]
pub use chromium::browser_or_skip;

type Sock = WebSocket<MaybeTlsStream<TcpStream>>;

struct Conn {
    ws: Sock,
    next: u64,
    /// Events received while waiting for answers: (session, method, params).
    events: Vec<(Option<String>, String, Json)>,
}

impl Conn {
    fn call(&mut self, session: Option<&str>, method: &str, params: Json) -> Result<Json, String> {
        self.next += 1;
        let id = self.next;
        let mut m = json!({"id": id, "method": method, "params": params});
        if let Some(s) = session {
            m["sessionId"] = json!(s);
        }
        self.ws.send(Message::Text(m.to_string().into())).map_err(|e| format!("{method}: {e}"))?;
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if Instant::now() > deadline {
                return Err(format!("{method}: no answer from Chromium in 60 s"));
            }
            let msg = match self.ws.read() {
                Ok(Message::Text(t)) => t,
                Ok(_) => continue,
                Err(e) => return Err(format!("{method}: {e}")),
            };
            let v: Json = serde_json::from_str(msg.as_str()).map_err(|e| e.to_string())?;
            if v["id"] == json!(id) {
                if let Some(e) = v.get("error") {
                    return Err(format!("{method}: {e}"));
                }
                return Ok(v["result"].clone());
            }
            if let Some(method) = v["method"].as_str() {
                self.events.push((v["sessionId"].as_str().map(str::to_string), method.to_string(), v["params"].clone()));
            }
        }
    }
}

/// A headless Chromium and the DevTools connection to it.
pub struct Browser {
    child: Child,
    conn: Rc<RefCell<Conn>>,
    profile: PathBuf,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

impl Browser {
    /// Starts headless Chromium with a fresh profile.
    pub fn launch(exe: &Path, name: &str) -> Browser {
        let profile = std::env::temp_dir().join(format!("bc-cdp-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&profile);
        std::fs::create_dir_all(&profile).unwrap();
        let mut child = Command::new(exe)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--remote-debugging-port=0",
                "--font-render-hinting=none",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("chromium starts");
        let mut err = BufReader::new(child.stderr.take().unwrap());
        let mut url = None;
        let mut seen = String::new();
        for _ in 0..200 {
            let mut line = String::new();
            if err.read_line(&mut line).unwrap_or(0) == 0 {
                break;
            }
            if let Some(u) = line.trim().strip_prefix("DevTools listening on ") {
                url = Some(u.to_string());
                break;
            }
            seen.push_str(&line);
        }
        let url = url.unwrap_or_else(|| panic!("chromium did not start its DevTools endpoint:\n{seen}"));
        // Keep draining Chromium's messages so that it never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut sink = String::new();
            while err.read_line(&mut sink).unwrap_or(0) > 0 {
                sink.clear();
            }
        });
        let (ws, _) = connect(url.as_str()).expect("DevTools websocket");
        if let MaybeTlsStream::Plain(s) = ws.get_ref() {
            s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        }
        Browser { child, conn: Rc::new(RefCell::new(Conn { ws, next: 0, events: Vec::new() })), profile }
    }

    /// A new page in its own browser context (its own cookies and storage: another person),
    /// `width`×`height` CSS pixels.
    pub fn page(&self, width: u32, height: u32) -> Page {
        let mut c = self.conn.borrow_mut();
        let ctx = c.call(None, "Target.createBrowserContext", json!({})).unwrap()["browserContextId"].as_str().unwrap().to_string();
        let target = c.call(None, "Target.createTarget", json!({"url": "about:blank", "browserContextId": ctx})).unwrap()["targetId"]
            .as_str()
            .unwrap()
            .to_string();
        let session = c.call(None, "Target.attachToTarget", json!({"targetId": target, "flatten": true})).unwrap()["sessionId"]
            .as_str()
            .unwrap()
            .to_string();
        for m in ["Page.enable", "Network.enable", "Runtime.enable"] {
            c.call(Some(&session), m, json!({})).unwrap();
        }
        drop(c);
        let p = Page { conn: self.conn.clone(), session };
        p.resize(width, height);
        p
    }
}

/// One page (one person's browser tab).
pub struct Page {
    conn: Rc<RefCell<Conn>>,
    session: String,
}

impl Page {
    fn call(&self, method: &str, params: Json) -> Json {
        self.conn.borrow_mut().call(Some(&self.session), method, params).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Sets the viewport (CSS pixels, device scale 1).
    pub fn resize(&self, width: u32, height: u32) {
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600}),
        );
    }

    /// Opens `url` and waits for its document to load.
    pub fn goto(&self, url: &str) {
        self.call("Page.navigate", json!({"url": url}));
        self.wait("document.readyState === 'complete'", "the page to load");
    }

    /// Evaluates `js` in the page (promises awaited) and returns its value.
    pub fn eval(&self, js: &str) -> Json {
        let r = self.call("Runtime.evaluate", json!({"expression": js, "returnByValue": true, "awaitPromise": true}));
        if let Some(e) = r.get("exceptionDetails") {
            panic!("{js}: {e}");
        }
        r["result"]["value"].clone()
    }

    /// Waits (up to 30 s) until `cond` is true in the page; `what` names it in the failure.
    pub fn wait(&self, cond: &str, what: &str) {
        let t = Instant::now();
        loop {
            let r = self.call("Runtime.evaluate", json!({"expression": format!("!!({cond})"), "returnByValue": true}));
            if r["result"]["value"] == json!(true) {
                return;
            }
            if t.elapsed() > Duration::from_secs(30) {
                panic!("waited 30 s for {what} ({cond}); the page says:\n{}", self.text());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits until an element matching `selector` is visible and enabled.
    pub fn wait_for(&self, selector: &str) {
        let s = serde_json::to_string(selector).unwrap();
        self.wait(&format!("(() => {{ const e = document.querySelector({s}); return e && !e.disabled && e.offsetParent !== null && !e.closest('[hidden]'); }})()"), selector);
    }

    /// Clicks the element matching `selector` with real mouse events at its centre (after
    /// scrolling it into view), as a person would.
    pub fn click(&self, selector: &str) {
        self.wait_for(selector);
        let s = serde_json::to_string(selector).unwrap();
        let r = self.eval(&format!("(() => {{ const e = document.querySelector({s}); e.scrollIntoView({{block: 'center'}}); const b = e.getBoundingClientRect(); return [b.x + b.width / 2, b.y + b.height / 2]; }})()"));
        let (x, y) = (r[0].as_f64().unwrap(), r[1].as_f64().unwrap());
        for t in ["mouseMoved", "mousePressed", "mouseReleased"] {
            self.call("Input.dispatchMouseEvent", json!({"type": t, "x": x, "y": y, "button": "left", "clickCount": 1}));
        }
    }

    /// Picks `value` in the `<select>` matching `selector` (focus, then the keyboard's choice).
    pub fn select(&self, selector: &str, value: &str) {
        self.wait_for(selector);
        let s = serde_json::to_string(selector).unwrap();
        let v = serde_json::to_string(value).unwrap();
        let ok = self.eval(&format!("(() => {{ const e = document.querySelector({s}); e.focus(); if (![...e.options].some(o => o.value === {v})) return false; e.value = {v}; e.dispatchEvent(new Event('input', {{bubbles: true}})); e.dispatchEvent(new Event('change', {{bubbles: true}})); return true; }})()"));
        assert_eq!(ok, json!(true), "{selector} has no option {value}");
    }

    /// Replaces the text of the input matching `selector` by typing `text`.
    pub fn type_into(&self, selector: &str, text: &str) {
        self.click(selector);
        let s = serde_json::to_string(selector).unwrap();
        self.eval(&format!("(() => {{ const e = document.querySelector({s}); e.select && e.select(); }})()"));
        self.call("Input.insertText", json!({"text": text}));
    }

    /// Chooses `files` in the file input matching `selector`.
    pub fn set_files(&self, selector: &str, files: &[PathBuf]) {
        self.wait_for(selector);
        let root = self.call("DOM.getDocument", json!({}))["root"]["nodeId"].clone();
        let node = self.call("DOM.querySelector", json!({"nodeId": root, "selector": selector}))["nodeId"].clone();
        let files: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
        self.call("DOM.setFileInputFiles", json!({"nodeId": node, "files": files}));
        let s = serde_json::to_string(selector).unwrap();
        self.eval(&format!("document.querySelector({s}).dispatchEvent(new Event('change', {{bubbles: true}}))"));
    }

    /// The page's visible text.
    pub fn text(&self) -> String {
        self.eval("document.body ? document.body.innerText : ''").as_str().unwrap_or("").to_string()
    }

    /// The page's whole DOM as HTML (hidden parts and attributes included).
    pub fn html(&self) -> String {
        self.eval("document.documentElement.outerHTML").as_str().unwrap_or("").to_string()
    }

    /// Every WebSocket frame this page has received so far (payloads).
    pub fn frames_received(&self) -> Vec<String> {
        // Collect events that arrived since: a cheap call flushes the socket.
        self.call("Runtime.evaluate", json!({"expression": "0"}));
        self.conn
            .borrow()
            .events
            .iter()
            .filter(|(s, m, _)| s.as_deref() == Some(self.session.as_str()) && m == "Network.webSocketFrameReceived")
            .map(|(_, _, p)| p["response"]["payloadData"].as_str().unwrap_or("").to_string())
            .collect()
    }

    /// A PNG of the whole page at the current width, written to `path`; returns its bytes.
    pub fn screenshot(&self, path: &Path) -> Vec<u8> {
        let r = self.call("Page.captureScreenshot", json!({"format": "png", "captureBeyondViewport": false}));
        use base64_decode as b64;
        let png = b64(r["data"].as_str().unwrap());
        std::fs::write(path, &png).unwrap();
        png
    }
}

/// Standard base64 (Chromium's screenshots), without a dependency for it.
pub fn base64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for c in s.bytes() {
        let Some(v) = val(c) else { continue };
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}
