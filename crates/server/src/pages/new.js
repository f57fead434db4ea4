// The room set-up page: reads the form (uploaded domain files included), posts the room spec
// with the admin token and lists the seat links with copy buttons; lists the rooms with their
// log, report and study data to download; a study file is uploaded or pasted. The admin token
// stays in this page's memory only.
"use strict";

let AGENTS = {parties: [], mediators: {}};

async function loadAgents() {
  try {
    const r = await fetch("/api/v1/agents");
    AGENTS = await r.json();
  } catch (e) { /* the lists only help typing */ }
  fill($("party-agents"), AGENTS.parties.map(a => el("option", {value: a.name}, a.name + " — " + a.about + (a.params.length ? " (parameters: " + a.params.join(", ") + ")" : ""))));
  renderMediators();
}

function renderMediators() {
  const meds = AGENTS.mediators[$("protocol").value] || [];
  fill($("mediator-agents"), meds.map(m => el("option", {value: m.name}, m.name + (m.params.length ? " (parameters: " + m.params.join(", ") + ")" : ""))));
}

function seatRow(id, label, mediator, fillDefault, agentDefault) {
  const sel = el("select", {id: id + "-by", "aria-label": label + ": played by"},
    el("option", {value: "person"}, "a person (link)"),
    el("option", {value: "agent"}, "a built-in agent"),
    el("option", {value: "external"}, "an external program"));
  sel.value = fillDefault;
  const name = el("input", {type: "text", id: id + "-agent", list: mediator ? "mediator-agents" : "party-agents", value: agentDefault, "aria-label": label + ": agent name and parameters"});
  const nameLabel = el("label", {class: "field"}, "Agent", name);
  const sync = () => { nameLabel.hidden = sel.value !== "agent"; };
  sel.addEventListener("change", sync);
  sync();
  return el("div", {class: "seatrow", "data-seat": id}, el("strong", {}, label), el("label", {class: "field"}, "Played by", sel), nameLabel);
}

function renderSeats() {
  const n = Math.max(2, Math.min(20, Number($("nparties").value) || 2));
  const rows = [];
  const keep = id => { const s = $(id + "-by"), a = $(id + "-agent"); return s ? [s.value, a.value] : null; };
  for (let i = 0; i < n; i++) {
    const k = keep("party" + i);
    rows.push(seatRow("party" + i, "Party " + (i + 1), false, k ? k[0] : (i === 0 ? "person" : "agent"), k ? k[1] : "conceder"));
  }
  if ($("protocol").value !== "sao") {
    const k = keep("mediator");
    const meds = AGENTS.mediators[$("protocol").value] || [];
    rows.push(seatRow("mediator", "Mediator", true, k ? k[0] : "person", k && k[1] ? k[1] : (meds[0] ? meds[0].name : "")));
  }
  fill($("seat-rows"), rows);
}

function syncSource() {
  const src = $("source").value;
  $("domain-file-label").hidden = src === "scenario";
  $("profile-files-label").hidden = src === "scenario";
  $("domain-note").textContent = src === "scenario" ? "The embedded scenario's agenda: each party negotiates with its own nominal utility and reservation." : "The number of parties follows the number of profile files.";
}

function readFile(f) {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result));
    r.onerror = () => reject(new Error(f.name + ": cannot be read"));
    r.readAsText(f);
  });
}

async function spec() {
  const src = $("source").value;
  let domain;
  if (src === "scenario") domain = {format: "scenario"};
  else {
    const d = $("domain-file").files[0];
    const ps = Array.from($("profile-files").files);
    if (!d) throw new Error("Domain file: choose the domain's " + (src === "genius" ? "XML" : "JSON") + " file.");
    if (ps.length < 2) throw new Error("Profile files: choose one profile file per party (at least 2), found " + ps.length + ".");
    ps.sort((a, b) => a.name.localeCompare(b.name));
    domain = {format: src, domain: await readFile(d), profiles: await Promise.all(ps.map(readFile))};
    if (Number($("nparties").value) !== ps.length) { $("nparties").value = ps.length; renderSeats(); }
  }
  const n = Math.max(2, Number($("nparties").value) || 2);
  const seatFill = id => {
    const by = $(id + "-by").value;
    if (by === "agent") {
      const name = $(id + "-agent").value.trim();
      if (!name) throw new Error((id === "mediator" ? "Mediator" : "Party " + (Number(id.slice(5)) + 1)) + ": name the built-in agent, e.g. conceder.");
      return {by, name};
    }
    return {by};
  };
  const s = {
    title: $("title").value.trim(),
    domain,
    protocol: $("protocol").value,
    parties: Array.from({length: n}, (_, i) => seatFill("party" + i)),
    observers: Number($("observers").value) || 0,
    steps: Number($("steps").value),
    seed: Number($("seed").value) || 0,
  };
  if (!Number.isInteger(s.steps) || s.steps < 1) throw new Error("Rounds: expected a whole number of at least 1, found " + $("steps").value + ".");
  const minutes = $("minutes").value.trim();
  if (minutes) {
    const m = Number(minutes);
    if (!(m > 0)) throw new Error("Time limit: expected a positive number of minutes, found " + minutes + ".");
    s.deadline_secs = Math.round(m * 60);
  }
  if (s.protocol !== "sao") s.mediator = seatFill("mediator");
  if ($("editable").checked) s.editable_preferences = true;
  if ($("study-on").checked) {
    const text = $("study-text").value;
    if (!text.trim()) throw new Error("Study file: choose the study's TOML file or paste it.");
    if (s.deadline_secs) throw new Error("Time limit: a study room has no time limit (each round is limited by its rounds); empty the field.");
    s.study = {toml: text, name: studyName || "pasted study"};
  }
  return s;
}

let studyName = null;

async function loadStudyFile() {
  const f = $("study-file").files[0];
  if (!f) return;
  try { $("study-text").value = await readFile(f); studyName = f.name; }
  catch (e) { $("form-msg").textContent = e.message; $("form-msg").className = "below"; }
}

function seatLabel(seat) {
  if (seat === "mediator") return "Mediator";
  if (seat.startsWith("party:")) return "Party " + (Number(seat.slice(6)) + 1);
  if (seat.startsWith("observer:")) return "Observer " + (Number(seat.slice(9)) + 1);
  return seat;
}

async function copy(text, btn) {
  try { await navigator.clipboard.writeText(text); btn.textContent = "Copied"; }
  catch (e) {
    const input = btn.parentElement.previousElementSibling.querySelector("input");
    if (input) { input.focus(); input.select(); }
    btn.textContent = "Press Ctrl+C";
  }
}

async function submit(ev) {
  ev.preventDefault();
  const msg = $("form-msg");
  msg.textContent = "";
  msg.className = "";
  const admin = $("admin").value.trim();
  if (!admin) { msg.textContent = "Admin token: paste the token the server printed at start."; msg.className = "below"; $("admin").focus(); return; }
  let body;
  try { body = await spec(); } catch (e) { msg.textContent = e.message; msg.className = "below"; return; }
  $("create").disabled = true;
  msg.textContent = "Creating…";
  try {
    const r = await fetch("/api/v1/rooms", {method: "POST", headers: {"Content-Type": "application/json", Authorization: "Bearer " + admin}, body: JSON.stringify(body)});
    const j = await r.json().catch(() => ({error: r.status + " " + r.statusText}));
    if (!r.ok) { msg.textContent = "The server refused the room: " + (j.error || r.status); msg.className = "below"; return; }
    msg.textContent = "Room " + j.room + " created.";
    fill($("links"), j.seats.map(s => {
      const by = s.fill.by === "agent" ? "agent " + s.fill.name : s.fill.by === "external" ? "external program" : "person";
      if (!s.link) return el("tr", {"data-seat": s.seat}, el("th", {scope: "row"}, seatLabel(s.seat)), el("td", {}, by), el("td", {}, "plays by itself"), el("td", {}));
      const input = el("input", {type: "text", readonly: true, value: s.link, "aria-label": seatLabel(s.seat) + " link", onfocus: e => e.target.select()});
      const btn = button("Copy", () => copy(s.link, btn), {"aria-label": "Copy the link of " + seatLabel(s.seat)});
      const open = el("a", {href: s.link, target: "_blank", rel: "noopener noreferrer", "aria-label": "Open the seat of " + seatLabel(s.seat) + " in a new tab"}, "Open");
      return el("tr", {"data-seat": s.seat}, el("th", {scope: "row"}, seatLabel(s.seat)), el("td", {}, by), el("td", {}, input), el("td", {class: "actions"}, btn, open));
    }));
    $("result").hidden = false;
    if (!$("rooms-table").hidden) listRooms();
    $("result-h").focus();
    $("result").scrollIntoView();
  } catch (e) {
    msg.textContent = "Cannot reach the server: " + e.message; msg.className = "below";
  } finally { $("create").disabled = false; }
}

// ---------- the rooms and their records ----------

/** Downloads one record of a room (`events.jsonl` or `report.html`) with the admin token. */
async function record(room, file, type) {
  const msg = $("rooms-msg");
  msg.textContent = "Fetching " + file + " of room " + room + "…";
  try {
    const r = await fetch("/api/v1/rooms/" + encodeURIComponent(room) + "/" + file, {headers: {Authorization: "Bearer " + $("admin").value.trim()}});
    if (!r.ok) {
      const j = await r.json().catch(() => ({error: r.status + " " + r.statusText}));
      msg.textContent = file + " of room " + room + ": " + (j.error || r.status);
      return;
    }
    download(room + "-" + file, await r.text(), type);
    msg.textContent = "Downloaded " + file + " of room " + room + ".";
  } catch (e) { msg.textContent = "Cannot reach the server: " + e.message; }
}

async function listRooms() {
  const msg = $("rooms-msg");
  const admin = $("admin").value.trim();
  if (!admin) { msg.textContent = "Admin token: paste the token the server printed at start."; $("admin").focus(); return; }
  msg.textContent = "Listing…";
  try {
    const r = await fetch("/api/v1/rooms", {headers: {Authorization: "Bearer " + admin}});
    const j = await r.json().catch(() => ({error: r.status + " " + r.statusText}));
    if (!r.ok) { msg.textContent = "The server refused: " + (j.error || r.status); return; }
    msg.textContent = j.rooms.length ? j.rooms.length + " room" + (j.rooms.length === 1 ? "" : "s") + ", newest first." : "No rooms yet.";
    fill($("rooms-body"), j.rooms.map(x => el("tr", {"data-room": x.room},
      el("td", {}, new Date(x.created_ms).toLocaleString()),
      el("td", {}, x.title || "(untitled)"),
      el("td", {}, x.protocol || "?"),
      el("td", {}, el("code", {}, x.room)),
      el("td", {class: "actions"},
        button("Log", () => record(x.room, "events.jsonl", "application/x-ndjson"), {"aria-label": "Download the log of room " + x.room}),
        button("Report", () => record(x.room, "report.html", "text/html"), {"aria-label": "Download the report of room " + x.room}),
        x.study ? button("Study data", () => record(x.room, "study.json", "application/json"), {"aria-label": "Download the study data of room " + x.room}) : null))));
    $("rooms-table").hidden = j.rooms.length === 0;
  } catch (e) { msg.textContent = "Cannot reach the server: " + e.message; }
}

function button(label, onclick, opts) { return el("button", Object.assign({type: "button", onclick}, opts || {}), label); }

$("source").addEventListener("change", syncSource);
$("protocol").addEventListener("change", () => {
  const m = document.querySelector("[data-seat=mediator]");
  if (m) m.remove(); // another protocol has other mediators
  renderMediators();
  renderSeats();
});
$("nparties").addEventListener("change", renderSeats);
$("form").addEventListener("submit", submit);
$("rooms-list").addEventListener("click", listRooms);
$("study-on").addEventListener("change", () => { $("study-fields").hidden = !$("study-on").checked; });
$("study-file").addEventListener("change", loadStudyFile);
$("result-h").tabIndex = -1;
syncSource();
renderSeats();
loadAgents().then(renderSeats);
