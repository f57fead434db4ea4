// The room page: joins the seat of the token in the link's fragment over the WebSocket and
// builds the party's page, the mediator's console or the observer's page from what the server
// sends (`welcome`, `event`, `message`, `turn`, `presence`, `tools`, `control`, `preferences`; in study mode `study` and
// `round`, drawn by study.js). Reconnects by itself and rebuilds everything from the next `welcome`. Room texts are
// inserted as text only.
"use strict";

const ROOM = decodeURIComponent(location.pathname.split("/").pop() || "");
let token = location.hash.slice(1);
if (token) {
  try { sessionStorage.setItem("bc-token-" + ROOM, token); } catch (e) { /* storage off: keep it in memory */ }
  history.replaceState(null, "", location.pathname);
} else {
  try { token = sessionStorage.getItem("bc-token-" + ROOM) || ""; } catch (e) { token = ""; }
}

const S = {
  w: null, seat: null, role: null, items: [], turn: null, ending: null, presence: null,
  tools: null, step: 0, refused: false, nextId: 1, builder: null, lastTurnSeat: undefined,
  paused: null, closed: null, waiting: [], draft: null, study: null, builderYou: false, answersId: null,
};
let ws = null, retry = 0, toolsTimer = null;

// ---------- naming and utilities ----------

function partyIndex(seat) { return typeof seat === "string" && seat.startsWith("party:") ? Number(seat.slice(6)) : null; }
function seatName(seat) {
  if (seat === S.seat && S.role !== "observer") return "You";
  if (seat === "mediator") return "The mediator";
  const i = partyIndex(seat);
  if (i !== null) {
    if (S.role === "party" && S.w && S.w.parties === 2) return "The other side";
    return "Party " + (i + 1);
  }
  if (typeof seat === "string" && seat.startsWith("observer:")) return "Observer " + (Number(seat.slice(9)) + 1);
  return String(seat);
}
function partyName(i) { return seatName("party:" + i); }

/** My utility of a package `{issue: value}` (parties with an additive profile), else null. */
function myUtility(pkg) {
  const a = S.w && S.w.you && S.w.you.additive;
  if (!a || !pkg) return null;
  let u = a.bias;
  for (let k = 0; k < S.w.issues.length; k++) {
    const iss = S.w.issues[k];
    const v = iss.values.indexOf(pkg[iss.name]);
    if (v < 0 || !a.terms[k]) return null;
    u += a.terms[k][v];
  }
  if (a.cap !== null && a.cap !== undefined && u > a.cap) u = a.cap;
  return u;
}
function reservation() { return S.w && S.w.you ? S.w.you.reservation : null; }

/** A name from the domain for reading: identifiers like `no_strike_pledge` with spaces. */
function nice(name) { return String(name).replace(/_/g, " "); }

function pkgTable(pkg, caption) {
  const rows = S.w.issues.map(iss => el("tr", {}, el("th", {scope: "row"}, nice(iss.name)), el("td", {}, pkg && iss.name in pkg ? nice(pkg[iss.name]) : "–")));
  return el("table", {class: "tbl pkg"}, caption ? el("caption", {}, caption) : null, el("tbody", {}, rows));
}
function pkgLine(pkg) {
  if (!pkg) return "–";
  return S.w.issues.map(iss => nice(iss.name) + ": " + (iss.name in pkg ? nice(pkg[iss.name]) : "–")).join(" · ");
}
function worthNode(pkg, known) {
  if (S.role !== "party") return null;
  const u = typeof known === "number" ? known : myUtility(pkg);
  if (u === null || u === undefined) return null;
  const r = reservation();
  const below = typeof r === "number" && u < r;
  return el("span", {class: "worth-tag" + (below ? " below" : "")}, "worth " + fmtU(u) + " to you" + (below ? " (below your walk-away " + fmtU(r) + ")" : ""));
}

// ---------- connection ----------

function setConn(state) {
  const c = $("conn");
  c.textContent = state;
  c.className = "pill " + (state === "live" ? "ok" : state === "ended" ? "" : "warn");
}
function fatal(text) { const f = $("fatal"); f.textContent = text; f.hidden = false; }
function toast(text) {
  const t = $("toast");
  t.textContent = text;
  t.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { t.hidden = true; }, 8000);
}

function connect() {
  if (!token) { fatal("This link has no seat token. Open the whole link you were given (the part after # is your key)."); setConn("offline"); return; }
  setConn(S.w ? "reconnecting" : "connecting");
  let sock;
  try { sock = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/api/v1/ws"); }
  catch (e) { schedule(); return; }
  ws = sock;
  sock.onopen = () => sock.send(JSON.stringify({type: "hello", token, presence: true}));
  sock.onmessage = ev => { let m; try { m = JSON.parse(ev.data); } catch (e) { return; } onMessage(m); };
  sock.onclose = () => { if (ws === sock) ws = null; if (!S.refused) { setConn("reconnecting"); schedule(); } };
}
function schedule() { retry = Math.min(retry + 1, 5); setTimeout(connect, Math.min(250 * 2 ** (retry - 1), 2000)); }
function send(m) {
  if (!ws || ws.readyState !== WebSocket.OPEN) { toast("Not connected; trying again in a moment."); return false; }
  ws.send(JSON.stringify(m));
  return true;
}
function act(action) { send({type: "act", id: String(S.nextId++), action}); }

function onMessage(m) {
  switch (m.type) {
    case "welcome":
      retry = 0;
      S.w = m; S.seat = m.seat; S.turn = m.turn; S.ending = m.ending;
      S.study = m.study || null;
      // In study mode only the current round's events are shown.
      S.items = m.history.filter(x => x.type !== "event" || !S.study || !S.study.round || x.round === S.study.round.index);
      S.role = m.seat.startsWith("party:") ? "party" : m.seat === "mediator" ? "mediator" : "observer";
      S.step = Math.max(0, ...S.items.filter(x => x.type === "event").map(x => x.event.step || 0), m.turn ? m.turn.step : 0, m.ending ? m.ending.step : 0);
      S.paused = m.paused || null; S.closed = m.closed || null; S.waiting = m.waiting_for || [];
      S.draft = null;
      setConn((S.study ? studyOver() : m.ending) ? "ended" : "live");
      // The builder starts at my best package once my preferences are known (in study mode,
      // after the consent).
      if (!S.builder || (m.you && !S.builderYou)) { S.builder = defaultPackage(); S.builderYou = !!m.you; }
      renderAll();
      if (S.role === "mediator") requestTools();
      break;
    case "event":
      S.items.push(m);
      S.turn = null;
      if (typeof m.event.step === "number") S.step = Math.max(S.step, m.event.step);
      if (m.event.event === "end") { S.ending = {ending: m.event.ending, agreement: m.event.agreement, step: m.event.step}; if (!S.study) setConn("ended"); }
      renderAll();
      if (S.role === "mediator") requestTools();
      break;
    case "message":
      S.items.push(m);
      renderCaucus();
      break;
    case "turn":
      S.turn = m.turn;
      S.step = Math.max(S.step, m.turn.step);
      renderAll();
      break;
    case "presence":
      S.presence = m;
      renderStatus();
      renderSeats();
      break;
    case "tools":
      S.tools = m.tools;
      renderTools();
      renderText();
      break;
    case "control":
      S.items.push(m);
      S.paused = m.control === "pause" ? m.by : null;
      if (m.control === "close") S.closed = m.by;
      renderAll();
      break;
    case "preferences":
      S.items.push(m);
      S.waiting = m.waiting_for || [];
      if (m.you) { S.w.you = m.you; S.draft = null; $("edit-saved").textContent = "Saved."; $("edit-saved").className = "ok-msg"; }
      renderAll();
      break;
    case "waiting":
      S.waiting = m.waiting_for || [];
      renderAll();
      break;
    case "round":
      // A fresh negotiation: the last round's events, turn and ending go.
      S.items = S.items.filter(x => x.type !== "event");
      S.items.push(m);
      S.turn = null; S.ending = null; S.step = 0;
      S.builder = defaultPackage();
      if (S.study) S.study.round = {index: m.round, practice: m.practice, number: m.number};
      setConn("live");
      renderAll();
      break;
    case "study":
      studyUpdate(m.study);
      renderAll();
      break;
    case "consent":
    case "answers":
      S.items.push(m);
      break;
    case "ack":
      break;
    case "error":
      if (!S.w) { S.refused = true; fatal("The server refused this link: " + m.message); setConn("offline"); if (ws) ws.close(); }
      else if (!studyError(m)) toast(m.message);
      break;
  }
}

function requestTools() {
  clearTimeout(toolsTimer);
  toolsTimer = setTimeout(() => send({type: "tools"}), 50);
}

// ---------- rendering ----------

function renderAll() {
  if (!S.w) return;
  // A study participant sees only the study card until it agrees, and once the study is over.
  $("main").hidden = !studyShowsRoom();
  renderStudy();
  $("title").textContent = S.w.title || ("Room " + S.w.room);
  document.title = (S.w.title || "Room") + " · backchannel";
  const proto = {"sao": "alternating offers", "single-text": "single negotiating text", "relay": "mediated relay", "confidential": "confidential mediation"}[S.w.protocol] || S.w.protocol;
  const role = S.role === "party" ? "You are " + ("Party " + (partyIndex(S.seat) + 1)) + (S.w.you && S.w.you.name ? " (" + S.w.you.name + ")" : "") + " in" : S.role === "mediator" ? "You are the mediator of" : "You are observing";
  $("who").textContent = role + " " + (/^[aeiou]/.test(proto) ? "an " : "a ") + proto + " negotiation between " + S.w.parties + " parties, at most " + S.w.steps + (S.study ? " steps a round." : " rounds.");
  if (S.study && !studyShowsRoom()) $("who").textContent = "A negotiation study.";
  document.body.dataset.role = S.role;
  document.body.dataset.protocol = S.w.protocol;
  renderStatus();
  renderEnded();
  renderPaused();
  renderChair();
  renderEdit();
  renderMedPrefs();
  renderFront();
  renderBuilder();
  renderPrefs();
  renderHistory();
  renderCaucus();
  renderSeats();
  renderTools();
  renderText();
  $("export").hidden = S.role !== "mediator";
}

function turnSeat() {
  if (S.ending) return null;
  if (S.presence) return S.presence.turn;
  return S.turn ? S.seat : undefined;
}

function renderStatus() {
  if (!S.w) return;
  const sr = S.study && S.study.round;
  $("round").textContent = sr ? studyRoundLabel(sr) + " · step " + Math.min(S.step + 1, S.w.steps) + " of " + S.w.steps : "Round " + Math.min(S.step + 1, S.w.steps) + " of " + S.w.steps;
  if (S.study && (!studyShowsRoom() || !sr)) $("round").textContent = "";
  const w = $("waiting");
  const t = turnSeat();
  if (S.ending) { w.hidden = true; }
  else if (t === S.seat && S.role !== "observer") { w.hidden = false; w.className = "waiting mine"; w.textContent = "Your move"; }
  else if (t) { w.hidden = false; w.className = "waiting"; w.textContent = (S.role === "party" && partyIndex(t) !== null ? "The other side" : seatName(t)) + " is deciding…"; }
  else { w.hidden = true; }
  if (S.paused && !S.ending) { w.hidden = false; w.className = "waiting"; w.textContent = "Paused"; }
  else if (S.waiting.length && !S.ending) { w.hidden = false; w.className = "waiting"; w.textContent = "Waiting for the parties' preferences"; }
  const fw = $("front-wait");
  if (fw) fw.textContent = waitingText();
  tickClock();
}

/** What the front card says while it is not this seat's turn. */
function waitingText() {
  if (S.paused) return "The talks are paused by the " + chairName(S.paused) + "; nothing can be done until they resume.";
  if (S.waiting.length) return "The talks start once every party has saved its preferences (waiting for " + S.waiting.map(w => w === S.seat ? "you" : seatName(w).replace(/^The /, "the ")).join(" and ") + ").";
  const ts = turnSeat();
  return ts && ts !== S.seat ? (S.role === "party" && partyIndex(ts) !== null ? "The other side" : seatName(ts)) + " is deciding. This page updates by itself." : "Waiting for the next move.";
}

function tickClock() {
  const c = $("clock");
  const d = S.presence && S.presence.deadline_ms;
  if (!d || S.ending) { c.textContent = ""; return; }
  if (S.paused) { c.textContent = "Clock stopped while paused"; return; }
  const left = Math.max(0, Math.round((d - Date.now()) / 1000));
  const h = Math.floor(left / 3600), mi = Math.floor(left % 3600 / 60), s = left % 60;
  c.textContent = "Time left " + (h ? h + ":" + String(mi).padStart(2, "0") : String(mi)) + ":" + String(s).padStart(2, "0");
}
setInterval(tickClock, 1000);

function chairName(by) { return by === "admin" ? "administrator" : "mediator"; }

function renderPaused() {
  const b = $("paused");
  if (!S.paused || S.ending) { b.hidden = true; return; }
  b.hidden = false;
  b.textContent = "Paused by the " + chairName(S.paused) + ". No offer, vote or acceptance is taken and the clock is stopped until the talks resume.";
}

function renderChair() {
  const box = $("chair");
  if (S.role !== "mediator") { box.hidden = true; return; }
  box.hidden = false;
  $("chair-state").textContent = S.ending ? "The room is closed." : S.paused ? "Paused by the " + chairName(S.paused) + ": the parties see it, agents wait and the clock is stopped." : "Running. Pausing stops every move and the clock until you resume; closing ends the room without agreement.";
  $("do-pause").hidden = !!S.ending || !!S.paused;
  $("do-resume").hidden = !!S.ending || !S.paused;
  $("do-close").hidden = !!S.ending;
}

/** The points of my saved preferences, or my profile's as points (ranges shared out of 100). */
function myPoints() {
  const mine = S.items.filter(x => x.type === "preferences" && "party:" + x.party === S.seat);
  if (mine.length) { const p = mine[mine.length - 1]; return {weights: p.weights.slice(), ratings: p.ratings.map(r => r.slice())}; }
  const a = S.w.you && S.w.you.additive;
  const n = S.w.issues.length;
  if (!a) {
    const base = Math.floor(100 / n);
    return {weights: S.w.issues.map((_, k) => base + (k === 0 ? 100 - base * n : 0)), ratings: S.w.issues.map(iss => iss.values.map(() => 100))};
  }
  const ranges = a.terms.map(t => t.length ? Math.max(...t) - Math.min(...t) : 0);
  const total = ranges.reduce((x, y) => x + y, 0) || 1;
  const weights = ranges.map(r => Math.round(100 * r / total));
  const drift = 100 - weights.reduce((x, y) => x + y, 0);
  weights[weights.indexOf(Math.max(...weights))] += drift;
  const ratings = a.terms.map((t, k) => { const lo = Math.min(...t); return t.map(x => ranges[k] > 0 ? Math.round((x - lo) / ranges[k] * 100) : 100); });
  return {weights, ratings};
}

/** The points in the editor, as numbers (NaN where a field is not a number). */
function editorPoints() {
  const weights = S.w.issues.map((_, k) => Number($("w-" + k).value));
  const ratings = S.w.issues.map((iss, k) => iss.values.map((_, j) => Number($("r-" + k + "-" + j).value)));
  return {weights, ratings};
}

/** What is wrong with these points, or null (the server checks the same). */
function pointsProblem(p) {
  for (let k = 0; k < S.w.issues.length; k++) {
    const n = nice(S.w.issues[k].name);
    if (!isFinite(p.weights[k]) || p.weights[k] < 0 || p.weights[k] > 100) return "The weight of " + n + " must be from 0 to 100.";
    for (let j = 0; j < p.ratings[k].length; j++) {
      const x = p.ratings[k][j];
      if (!isFinite(x) || x < 0 || x > 100) return "The rating of " + n + " = " + nice(S.w.issues[k].values[j]) + " must be from 0 to 100.";
    }
    if (Math.max(...p.ratings[k]) !== 100) return "Rate your best value of " + n + " 100.";
  }
  const sum = p.weights.reduce((x, y) => x + y, 0);
  if (Math.abs(sum - 100) > 1e-6) return "The issue weights add up to " + (Math.round(sum * 1e4) / 1e4) + "; they must add up to 100.";
  return null;
}

function pointsUtility(p, pkg) {
  let u = 0;
  S.w.issues.forEach((iss, k) => { const v = iss.values.indexOf(pkg[iss.name]); u += p.weights[k] * (v < 0 ? 0 : p.ratings[k][v]) / 10000; });
  return u;
}

function renderEdit() {
  const box = $("edit");
  const open = S.role === "party" && S.w.editable_preferences && S.waiting.length > 0 && !S.ending;
  if (!open) { box.hidden = true; S.draft = null; return; }
  box.hidden = false;
  const issues = $("edit-issues");
  if (S.draft && issues.children.length) { updateEdit(); return; }
  S.draft = myPoints();
  issues.replaceChildren(...S.w.issues.map((iss, k) => el("fieldset", {},
    el("legend", {}, nice(iss.name)),
    el("div", {class: "rating"}, el("label", {for: "w-" + k}, el("strong", {}, "Weight (points)")), el("input", {type: "number", id: "w-" + k, min: "0", max: "100", step: "any", value: String(S.draft.weights[k]), oninput: updateEdit})),
    iss.values.map((v, j) => el("div", {class: "rating"}, el("label", {for: "r-" + k + "-" + j}, nice(v)), el("input", {type: "number", id: "r-" + k + "-" + j, min: "0", max: "100", step: "any", value: String(S.draft.ratings[k][j]), oninput: updateEdit}))))));
  updateEdit();
}

function updateEdit() {
  if ($("edit").hidden) return;
  const p = editorPoints();
  S.draft = p;
  const sum = p.weights.reduce((x, y) => x + (isFinite(y) ? y : 0), 0);
  const t = $("edit-total");
  t.textContent = "Issue weights: " + (Math.round(sum * 1e4) / 1e4) + " of 100 points";
  t.className = "worth " + (Math.abs(sum - 100) > 1e-6 ? "below" : "ok-msg");
  const problem = pointsProblem(p);
  $("edit-msg").textContent = problem || "";
  $("edit-msg").className = problem ? "below" : "";
  const pv = $("edit-preview");
  if (problem) { pv.textContent = ""; } else {
    const best = {}; S.w.issues.forEach((iss, k) => { best[iss.name] = iss.values[p.ratings[k].indexOf(100)]; });
    fill(pv, "Preview: the package in the builder would be worth ", el("strong", {id: "edit-preview-u"}, fmtU(pointsUtility(p, S.builder))), " to you; your best package, " + pkgLine(best) + ", 1.00.");
  }
  updateWorth();
}

$("edit-form").addEventListener("submit", ev => {
  ev.preventDefault();
  const p = editorPoints();
  const problem = pointsProblem(p);
  if (problem) { $("edit-msg").textContent = problem; $("edit-msg").className = "below"; return; }
  $("edit-saved").textContent = "Saving…"; $("edit-saved").className = "muted";
  send({type: "preferences", id: String(S.nextId++), weights: p.weights, ratings: p.ratings});
});

function renderMedPrefs() {
  const box = $("medprefs");
  if (S.role !== "mediator" || !S.w.editable_preferences) { box.hidden = true; return; }
  box.hidden = false;
  const latest = {};
  for (const x of S.items) if (x.type === "preferences") latest[x.party] = x;
  fill($("medprefs-body"), Array.from({length: S.w.parties}, (_, i) => {
    const p = latest[i];
    if (!p) return el("p", {"data-party": i}, partyName(i) + ": " + (S.waiting.includes("party:" + i) ? "not saved yet" : "its profile (a built-in agent, or set before)"));
    return el("table", {class: "tbl", "data-party": i}, el("caption", {}, partyName(i)),
      el("thead", {}, el("tr", {}, el("th", {scope: "col"}, "Issue"), el("th", {scope: "col"}, "Weight"), el("th", {scope: "col"}, "Ratings"))),
      el("tbody", {}, S.w.issues.map((iss, k) => el("tr", {}, el("th", {scope: "row"}, nice(iss.name)), el("td", {class: "num"}, String(p.weights[k])),
        el("td", {}, el("ul", {class: "plain values"}, iss.values.map((v, j) => el("li", {}, nice(v) + " ", el("span", {class: "pts"}, String(p.ratings[k][j]))))))))));
  }));
}

function renderEnded() {
  const b = $("ended");
  if (!S.ending) { b.hidden = true; return; }
  b.hidden = false;
  const e = S.ending;
  const closedHow = S.closed ? "The room was closed by the " + chairName(S.closed) + " without agreement" : null;
  const how = closedHow || {"agreement": "Agreement reached", "timeout": "Time ran out without agreement", "ended": "The talks were ended without agreement", "not-ratified": "The final text was not ratified", "fault": "The talks stopped: a participant failed"}[e.ending] || ("Ended: " + e.ending);
  const sr = S.study && S.study.round;
  fill(b, sr ? studyRoundLabel(sr) + ": " : "", el("strong", {}, how), e.agreement ? " — " + pkgLine(e.agreement) : "", " ", e.agreement ? worthNode(e.agreement) : null);
  b.className = "banner " + (e.ending === "agreement" ? "good" : "");
}

function defaultPackage() {
  const pkg = {};
  const a = S.w && S.w.you && S.w.you.additive;
  S.w.issues.forEach((iss, k) => {
    let best = 0;
    if (a && a.terms[k]) a.terms[k].forEach((t, v) => { if (t > a.terms[k][best]) best = v; });
    pkg[iss.name] = iss.values[best];
  });
  return pkg;
}

function button(label, onclick, opts) {
  return el("button", Object.assign({type: "button", onclick}, opts || {}), label);
}

/** Asks before a move: resolves true to go on. */
function confirmMove(title, text, yes) {
  return new Promise(resolve => {
    const d = $("confirm");
    $("confirm-h").textContent = title;
    $("confirm-text").textContent = text;
    $("confirm-yes").textContent = yes;
    const done = v => { d.close(); $("confirm-yes").onclick = null; $("confirm-no").onclick = null; resolve(v); };
    $("confirm-yes").onclick = () => done(true);
    $("confirm-no").onclick = () => done(false);
    d.oncancel = () => resolve(false);
    d.showModal();
    $("confirm-no").focus();
  });
}

/** Accepting a package: a confirm-style warning first when it is worth less than walking away. */
async function acceptMove(u, action, what) {
  const r = reservation();
  if (typeof u === "number" && typeof r === "number" && u < r) {
    const ok = await confirmMove("Below your walk-away", what + " is worth " + fmtU(u) + " to you, less than walking away without agreement (" + fmtU(r) + "). Accept it anyway?", "Accept anyway");
    if (!ok) return;
  }
  act(action);
}
async function endMove() {
  const ok = await confirmMove("End the talks?", "Ending stops the negotiation for everyone, without agreement.", "End the talks");
  if (ok) act({kind: "end"});
}

function renderFront() {
  const box = $("front");
  if (S.role === "observer") { box.hidden = true; return; }
  box.hidden = false;
  const body = $("front-body"), acts = $("front-actions");
  body.replaceChildren(); acts.replaceChildren();
  const t = S.turn;
  if (S.ending) { fill(body, el("p", {class: "muted"}, "The negotiation is over.")); return; }
  if (!t || S.paused) {
    fill(body, el("p", {class: "muted", id: "front-wait"}, waitingText()));
    return;
  }
  const ex = new Set(t.expected);
  const p = S.w.protocol;
  if (t.offer) {
    const label = p === "sao" || p === "relay" ? (S.role === "mediator" ? "The offer to pass on" : "The offer in front of you") : p === "confidential" ? "The mediator's proposal" : "The draft";
    body.appendChild(pkgTable(t.offer, label));
    const wn = worthNode(t.offer, t.your_utility);
    if (wn) body.appendChild(el("p", {}, wn));
  }
  if (t.current && !(t.offer && ex.has("ratify"))) {
    body.appendChild(pkgTable(t.current, ex.has("ratify") ? "The final text to ratify" : "The current text"));
    if (ex.has("ratify")) { const wn = worthNode(t.current, t.your_utility); if (wn) body.appendChild(el("p", {}, wn)); }
  }
  if (t.votes) body.appendChild(el("p", {}, "Votes on the draft: " + t.votes.map((v, i) => partyName(i) + " " + (v ? "accepts" : "refuses")).join(", ")));
  if (S.role === "party") {
    if (ex.has("accept")) acts.appendChild(button("Accept this offer", () => acceptMove(t.your_utility, {kind: "accept"}, "This offer"), {class: "primary", id: "do-accept"}));
    if (ex.has("offer")) acts.appendChild(el("p", {class: "muted"}, t.offer ? "Or make a counter-offer with the package builder." : "Make your offer with the package builder."));
    if (ex.has("vote")) {
      acts.appendChild(button(p === "confidential" ? "Accept the proposal" : "Accept the draft", () => acceptMove(p === "confidential" ? t.your_utility : null, {kind: "vote", accept: true}, "The proposal"), {class: "primary", id: "do-vote-yes"}));
      acts.appendChild(button("Refuse", () => act({kind: "vote", accept: false}), {id: "do-vote-no"}));
    }
    if (ex.has("ratify")) {
      acts.appendChild(button("Ratify the text", () => acceptMove(t.your_utility, {kind: "ratify", accept: true}, "The final text"), {class: "primary", id: "do-ratify-yes"}));
      acts.appendChild(button("Do not ratify", () => act({kind: "ratify", accept: false}), {id: "do-ratify-no"}));
    }
    if (ex.has("report")) {
      const r = reservation();
      const input = el("input", {type: "number", id: "floor", step: "0.01", value: typeof r === "number" ? r.toFixed(2) : "0"});
      body.appendChild(el("p", {}, "Tell the mediator, in confidence, the lowest worth you can accept. The other side never sees it; the mediator proposes only packages that meet every side's floor."));
      body.appendChild(el("label", {class: "inline"}, "Your floor ", input));
      acts.appendChild(button("Report floor to the mediator", () => {
        const f = Number(input.value);
        if (input.value.trim() === "" || !isFinite(f)) { toast("The floor must be a number, e.g. 0.4"); return; }
        act({kind: "report", floor: f});
      }, {class: "primary", id: "do-report"}));
    }
  } else if (S.role === "mediator") {
    if (ex.has("conclude")) acts.appendChild(button("Conclude: parties ratify the current text", () => act({kind: "conclude"}), {id: "do-conclude"}));
    if (ex.has("adopt")) {
      acts.appendChild(button("Adopt the draft", () => act({kind: "adopt", adopt: true}), {class: "primary", id: "do-adopt"}));
      acts.appendChild(button("Keep the current text", () => act({kind: "adopt", adopt: false}), {id: "do-keep"}));
    }
    if (ex.has("pass")) acts.appendChild(button("Pass it on", () => act({kind: "pass"}), {class: "primary", id: "do-pass"}));
    if (ex.has("hold")) acts.appendChild(button("Hold it back", () => act({kind: "hold"}), {id: "do-hold"}));
    if (ex.has("no_zone")) acts.appendChild(button("No zone of agreement this round", () => act({kind: "no_zone"}), {id: "do-nozone"}));
    if (ex.has("draft") || ex.has("propose") || ex.has("reframe")) body.appendChild(el("p", {class: "muted"}, "Build the package in the builder and send it from there."));
  }
  if (ex.has("end")) acts.appendChild(button("End the talks", endMove, {class: "danger", id: "do-end"}));
}

function builderAction() {
  const p = S.w.protocol;
  if (S.role === "party") return (p === "sao" || p === "relay") ? {kind: "offer", label: S.turn && S.turn.offer ? "Send as counter-offer" : "Send offer"} : null;
  if (S.role === "mediator") return {"single-text": {kind: "draft", label: "Put this draft to the parties"}, "relay": {kind: "reframe", label: "Reframe: send this text to every party"}, "confidential": {kind: "propose", label: "Propose this package"}}[p] || null;
  return null;
}

function renderBuilder() {
  const box = $("builder");
  const b = builderAction();
  const explore = S.role === "party" && S.w.you && S.w.you.additive;
  if (S.role === "observer" || (!b && !explore)) { box.hidden = true; return; }
  box.hidden = false;
  $("builder-h").textContent = S.role === "mediator" ? "Build a package" : b ? "Build an offer" : "Try packages";
  $("builder-help").textContent = S.role === "party" ? "Pick a value for each issue; its worth to you updates as you go." : "Pick a value for each issue, or start from a suggested package.";
  const issues = $("builder-issues");
  issues.replaceChildren();
  S.w.issues.forEach((iss, k) => {
    const id = "b-" + k;
    const sel = el("select", {id, "data-issue": iss.name, onchange: () => { S.builder[iss.name] = sel.value; updateWorth(); if (!$("edit").hidden) updateEdit(); }},
      iss.values.map(v => el("option", {value: v}, nice(v))));
    sel.value = S.builder[iss.name] ?? iss.values[0];
    issues.appendChild(el("div", {class: "field"}, el("label", {for: id}, nice(iss.name)), sel));
  });
  const acts = $("builder-actions");
  acts.replaceChildren();
  if (b && !S.ending) {
    const ok = S.turn && S.turn.expected.includes(b.kind) && !S.paused;
    acts.appendChild(button(b.label, () => act({kind: b.kind, outcome: Object.assign({}, S.builder)}), {class: "primary", id: "do-builder", disabled: !ok}));
    if (!ok) acts.appendChild(el("span", {class: "muted"}, S.paused ? " The talks are paused." : " You can send it on your turn."));
  }
  updateWorth();
}

function updateWorth() {
  const w = $("builder-worth");
  if (S.role !== "party") { w.textContent = ""; return; }
  const editing = S.draft && !$("edit").hidden && !pointsProblem(S.draft);
  const u = editing ? pointsUtility(S.draft, S.builder) : myUtility(S.builder);
  if (u === null) { w.textContent = ""; return; }
  const r = reservation();
  const pct = Math.max(0, Math.min(100, u * 100));
  fill(w, el("span", {}, "Worth to you: ", el("strong", {id: "builder-u"}, fmtU(u))),
    typeof r === "number" ? el("span", {class: u < r ? "below" : "muted"}, u < r ? "  · below your walk-away (" + fmtU(r) + ")" : "  · walk-away " + fmtU(r)) : null,
    el("span", {class: "bar", "aria-hidden": "true"}, el("span", {class: "bar-fill", style: null, "data-pct": pct.toFixed(0)})));
  const f = w.querySelector(".bar-fill");
  if (f) f.style.width = pct.toFixed(0) + "%";
}

function renderPrefs() {
  const box = $("prefs");
  if (S.role !== "party") { box.hidden = true; return; }
  box.hidden = false;
  const r = reservation();
  $("prefs-h").textContent = S.w.editable_preferences ? (S.waiting.length ? "Your preferences (as saved)" : "Your preferences (locked: the talks have started)") : "Your preferences";
  $("prefs-reservation").textContent = typeof r === "number" ? "Walking away without agreement is worth " + fmtU(r) + " to you: accept nothing worth less." : "Any agreement is better for you than none.";
  const body = $("prefs-body");
  const a = S.w.you && S.w.you.additive;
  if (!a) { fill(body, el("p", {class: "muted"}, "Your preferences are not a sum over the issues; the worth of each package to you is shown next to every offer.")); return; }
  const ranges = a.terms.map(t => t.length ? Math.max(...t) - Math.min(...t) : 0);
  const total = ranges.reduce((x, y) => x + y, 0) || 1;
  const rows = [];
  S.w.issues.forEach((iss, k) => {
    const pts = 100 * ranges[k] / total;
    const lo = Math.min(...a.terms[k]);
    const vals = iss.values.map((v, j) => {
      const vp = ranges[k] > 0 ? (a.terms[k][j] - lo) / ranges[k] * pts : 0;
      return el("li", {}, nice(v) + " ", el("span", {class: "pts"}, Math.round(vp) + " pts"));
    });
    rows.push(el("tr", {}, el("th", {scope: "row"}, nice(iss.name)), el("td", {class: "num"}, Math.round(pts) + " pts"), el("td", {}, el("ul", {class: "plain values"}, vals))));
  });
  fill(body, el("table", {class: "tbl"}, el("thead", {}, el("tr", {}, el("th", {scope: "col"}, "Issue"), el("th", {scope: "col"}, "Weight"), el("th", {scope: "col"}, "Values"))), el("tbody", {}, rows)));
}

function describeEvent(e) {
  const who = i => partyName(i);
  switch (e.event) {
    case "offer": return [who(e.party) + " offered", e.outcome];
    case "accept": return [who(e.party) + " accepted", e.outcome];
    case "delivered": return ["Delivered to " + who(e.to) + " (from " + seatName(e.from) + ")", e.outcome];
    case "held": return ["The mediator held back " + who(e.from) + "'s offer", e.outcome];
    case "draft": return [S.w.protocol === "confidential" ? "The mediator proposed" : "The mediator drafted", e.outcome];
    case "vote": return [who(e.party) + (e.accept ? " accepted" : " refused"), null];
    case "adopted": return ["The draft became the text", e.outcome];
    case "ratify": return [who(e.party) + (e.accept ? " ratified" : " did not ratify"), null];
    case "report": return [who(e.party) + " reported a floor of " + (e.floor === null ? "anything" : fmtU(e.floor)) + " (to the mediator only)", null];
    case "zone": return [e.exists ? "The mediator found a zone of agreement" : "No zone of agreement this round", null];
    case "end": return ["The talks ended: " + e.ending + (e.by ? " (by " + seatName(e.by) + ")" : ""), e.agreement];
    default: return [e.event, null];
  }
}

function renderHistory() {
  const list = $("history-list");
  const rows = S.items.filter(x => x.type === "event" || x.type === "control").map(x => {
    if (x.type === "control") {
      const what = {"pause": "paused the talks", "resume": "resumed the talks", "close": "closed the room"}[x.control] || x.control;
      return el("li", {"data-control": x.control}, el("span", {class: "round"}, "·"), " ", "The " + chairName(x.by) + " " + what);
    }
    const [text, pkg] = describeEvent(x.event);
    return el("li", {"data-event": x.event.event}, el("span", {class: "round"}, "R" + ((x.event.step || 0) + 1)), " ", el("span", {}, text),
      pkg ? el("div", {class: "pkgline"}, pkgLine(pkg), " ", worthNode(pkg)) : null);
  });
  fill(list, rows.length ? rows : [el("li", {class: "muted"}, "Nothing yet.")]);
}

function renderCaucus() {
  const box = $("caucus");
  const mediated = S.w && S.w.protocol !== "sao";
  if (!S.w || S.role === "observer" || !mediated) { box.hidden = true; return; }
  box.hidden = false;
  $("caucus-help").textContent = S.role === "party" ? "A private channel between you and the mediator; nothing here binds you, and the other side never sees it." : "A private channel with each party; the other party never sees it.";
  const toLabel = $("caucus-to-label"), to = $("caucus-to");
  if (S.role === "mediator") {
    toLabel.hidden = false;
    if (to.options.length !== S.w.parties) {
      to.replaceChildren(...Array.from({length: S.w.parties}, (_, i) => el("option", {value: "party:" + i}, "Party " + (i + 1))));
    }
  } else toLabel.hidden = true;
  const msgs = S.items.filter(x => x.type === "message").map(m =>
    el("li", {class: m.from === S.seat ? "out" : "in"},
      el("div", {class: "meta"}, seatName(m.from) + " → " + seatName(m.to) + (m.kind === "exploratory" ? " · exploratory" : "")),
      el("div", {class: "text"}, m.text),
      m.outcome ? el("div", {class: "pkgline"}, pkgLine(m.outcome), " ", worthNode(m.outcome)) : null));
  fill($("caucus-list"), msgs.length ? msgs : [el("li", {class: "muted"}, "No messages yet.")]);
}

function renderSeats() {
  const box = $("seats");
  if (!S.w || S.role !== "mediator") { box.hidden = true; return; }
  box.hidden = false;
  const p = S.presence || {online: [], agents: [], turn: null};
  const seats = Array.from({length: S.w.parties}, (_, i) => "party:" + i).concat(["mediator"], p.online.filter(s => s.startsWith("observer:")));
  fill($("seats-body"), seats.map(s => {
    const agent = p.agents.includes(s);
    const on = agent || p.online.includes(s);
    const turn = !S.ending && p.turn === s;
    return el("tr", {"data-seat": s}, el("th", {scope: "row"}, s === S.seat ? "Mediator (you)" : seatName(s)),
      el("td", {}, agent ? "built-in agent" : "person or program"),
      el("td", {}, el("span", {class: "pill " + (on ? "ok" : "warn")}, on ? "online" : "offline"), turn ? el("span", {class: "pill turn"}, "deciding") : null));
  }));
}

function suggestion(label, key, pkg) {
  const t = S.tools;
  const ru = t && t.reported_utilities && t.reported_utilities[key];
  return el("div", {class: "suggestion", "data-key": key},
    el("h4", {}, label),
    pkgTable(pkg),
    ru ? el("p", {class: "gives"}, "Gives " + ru.map((u, i) => partyName(i) + " " + fmtU(u)).join(", ") + " (by the utilities they reported to you)") : null,
    builderAction() ? button("Use in the builder", () => { S.builder = Object.assign({}, pkg); renderBuilder(); $("b-0") && $("b-0").focus(); }) : null);
}

function renderTools() {
  const box = $("tools");
  if (!S.w || S.role !== "mediator") { box.hidden = true; return; }
  box.hidden = false;
  const t = S.tools;
  const conf = S.w.protocol === "confidential";
  const zone = $("zone");
  if (!conf) zone.hidden = true;
  else {
    zone.hidden = false;
    if (t && t.zone) { zone.textContent = t.zone.exists ? "Zone of agreement: yes — " + t.zone.size + " package" + (t.zone.size === 1 ? "" : "s") + " meet every reported floor" : "Zone of agreement: none — no package meets every reported floor"; zone.className = "zone " + (t.zone.exists ? "good" : "bad"); }
    else { zone.textContent = "Zone of agreement: waiting for every party's report"; zone.className = "zone"; }
  }
  const reps = S.items.filter(x => x.type === "event" && x.event.event === "report");
  const latest = {};
  for (const r of reps) latest[r.event.party] = r.event;
  fill($("reports"), conf ? [el("h3", {}, "Reports"), el("ul", {class: "plain"}, Array.from({length: S.w.parties}, (_, i) => el("li", {}, partyName(i) + ": " + (latest[i] ? "floor " + (latest[i].floor === null ? "anything" : fmtU(latest[i].floor)) + " (round " + (latest[i].step + 1) + ")" : "not reported yet"))))] : []);
  $("tools-note").textContent = conf ? "Computed from the parties' private preferences; what each gives appears once every party has reported." : "Computed from the parties' private preferences; only the packages are shown.";
  const s = [];
  if (t) {
    if (t.nash) s.push(suggestion("Nash bargaining", "nash", t.nash));
    if (t.kalai_smorodinsky) s.push(suggestion("Kalai–Smorodinsky", "kalai_smorodinsky", t.kalai_smorodinsky));
    if (t.max_min_gain) s.push(suggestion("Largest smallest gain", "max_min_gain", t.max_min_gain));
  }
  fill($("suggestions"), s.length ? s : [el("p", {class: "muted"}, t ? "None available for this domain." : "Loading…")]);
  const imp = t ? t.pareto_improvements : [];
  $("improvements-box").hidden = !(S.ending && S.ending.agreement);
  fill($("improvements"), imp.length ? imp.map((p, j) => suggestion("Improvement " + (j + 1), "pareto_improvements." + j, p)) : [el("p", {class: "muted"}, "None: the agreement is already Pareto-optimal.")]);
}

function renderText() {
  const box = $("text");
  if (!S.w || S.w.protocol !== "single-text") { box.hidden = true; return; }
  box.hidden = false;
  const evs = S.items.filter(x => x.type === "event" && (x.event.event === "draft" || x.event.event === "adopted"));
  const adopted = evs.filter(x => x.event.event === "adopted");
  let current = (S.tools && S.tools.text) || (adopted.length ? adopted[adopted.length - 1].event.outcome : null);
  fill($("text-current"), current ? [pkgTable(current, "Current text"), worthNode(current)] : [el("p", {class: "muted"}, "No text adopted yet.")]);
  const hist = [];
  evs.forEach((x, j) => {
    if (x.event.event !== "draft") return;
    const next = evs[j + 1];
    const adoptedNow = next && next.event.event === "adopted";
    hist.push(el("li", {}, el("span", {class: "round"}, "R" + (x.event.step + 1)), " ", adoptedNow ? "adopted: " : "proposed, not adopted: ", pkgLine(x.event.outcome), " ", worthNode(x.event.outcome)));
  });
  const open = evs.length && evs[evs.length - 1].event.event === "draft" && !S.ending;
  if (open) hist[hist.length - 1] = el("li", {}, el("span", {class: "round"}, "R" + (evs[evs.length - 1].event.step + 1)), " under vote: ", pkgLine(evs[evs.length - 1].event.outcome));
  fill($("text-history"), hist.length ? hist : [el("li", {class: "muted"}, "No drafts yet.")]);
}

// ---------- caucus and export ----------

$("caucus-form").addEventListener("submit", ev => {
  ev.preventDefault();
  const text = $("caucus-text").value.trim();
  const attach = $("caucus-attach").checked;
  if (!text && !attach) { toast("Write a message first."); return; }
  const to = S.role === "mediator" ? $("caucus-to").value : "mediator";
  const m = {type: "say", id: String(S.nextId++), to, kind: attach ? "exploratory" : "note", text};
  if (attach) m.outcome = Object.assign({}, S.builder);
  if (send(m)) { $("caucus-text").value = ""; $("caucus-attach").checked = false; }
});

async function exportFile(path, name, type) {
  const msg = $("export-msg");
  msg.textContent = "Fetching " + name + "…";
  try {
    const r = await fetch("/api/v1/rooms/" + encodeURIComponent(S.w.room) + "/" + path, {headers: {Authorization: "Bearer " + token}});
    if (!r.ok) {
      let why = r.status + " " + r.statusText;
      try { const j = await r.json(); if (j.error) why = j.error; } catch (e) { /* not JSON */ }
      msg.textContent = name + ": " + (r.status === 404 ? "not available from this server (" + why + ")" : why);
      return;
    }
    download(S.w.room + "-" + name, await r.text(), type);
    msg.textContent = "Downloaded " + name + ".";
  } catch (e) { msg.textContent = name + ": " + e; }
}
$("export-log").addEventListener("click", () => exportFile("events.jsonl", "events.jsonl", "application/x-ndjson"));
$("export-report").addEventListener("click", () => exportFile("report.html", "report.html", "text/html"));
$("tools-refresh").addEventListener("click", () => send({type: "tools"}));
$("do-pause").addEventListener("click", () => send({type: "control", id: String(S.nextId++), control: "pause"}));
$("do-resume").addEventListener("click", () => send({type: "control", id: String(S.nextId++), control: "resume"}));
$("do-close").addEventListener("click", async () => {
  const ok = await confirmMove("Close the room?", "Closing ends the negotiation for everyone, without agreement. It cannot be undone.", "Close the room");
  if (ok) send({type: "control", id: String(S.nextId++), control: "close"});
});

connect();
