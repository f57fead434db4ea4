// Study mode on the room page: the consent text (a participant sees nothing else of the room
// until it agrees), the round being played (practice or counted), the questionnaire after each
// round, the waiting and closing messages and the completion link. room.js calls these with the
// `study` part of `welcome` and the `study` and `round` messages; room texts go in as text only.
"use strict";

/** The label of a round: "Practice round" or "Round 2 of 3". */
function studyRoundLabel(r) {
  if (!r || !S.study) return "";
  return r.practice ? "Practice round" : "Round " + r.number + " of " + S.study.rounds;
}

/** Keeps the consent text and questions of the `welcome` when a `study` message updates the view. */
function studyUpdate(view) {
  const keep = S.study || {};
  S.study = Object.assign({}, view, {consent: keep.consent, questions: keep.questions || []});
  if (studyOver()) setConn("ended");
}

function studyOver() {
  return !!S.study && ["declined", "called_off", "complete", "closed"].includes(S.study.phase);
}

/** Whether the rest of the room (history, builder, preferences) is shown under the study card. */
function studyShowsRoom() {
  if (!S.study || S.role !== "party") return true;
  const p = S.study.phase;
  return p === "negotiating" || p === "questionnaire" || (p === "waiting" && !!S.study.round);
}

function studyStatusText() {
  const st = S.study, r = st.round;
  const where = r ? studyRoundLabel(r) : "Before the first round";
  const what = {
    consent: "waiting for every participant's consent", waiting: r ? "between rounds" : "waiting for every participant's consent",
    negotiating: "being negotiated", questionnaire: "over: the participants answer the questionnaire",
    complete: "the study is complete", called_off: "the session was called off", closed: "the room was closed", declined: "declined",
  }[st.phase] || st.phase;
  const waiting = (st.waiting_for || []).map(s => seatName(s)).join(", ");
  return "Study: " + where + " — " + what + (waiting ? ". Waiting for " + waiting + "." : ".");
}

function renderStudy() {
  const box = $("study");
  if (!S.study) { box.hidden = true; return; }
  box.hidden = false;
  const st = S.study;
  box.dataset.phase = st.phase;
  const h = $("study-h"), body = $("study-body");
  if (S.role !== "party") {
    h.textContent = "Study";
    fill(body, el("p", {id: "study-status"}, studyStatusText()));
    box.dataset.form = "";
    return;
  }
  const r = st.round;
  switch (st.phase) {
    case "consent": return renderConsent(h, body);
    case "declined":
      h.textContent = "Thank you";
      fill(body, el("p", {}, "You chose not to take part, so nothing more will be asked of you and nothing of the session is shown. You may close this page."));
      break;
    case "called_off":
      h.textContent = "This session cannot go ahead";
      fill(body, el("p", {}, "Nothing more is needed from you. Thank you for your time; you may close this page."));
      break;
    case "closed":
      h.textContent = "The session was closed";
      fill(body, el("p", {}, "The researcher closed this session before it was complete. Thank you for your time; you may close this page."));
      break;
    case "waiting":
      h.textContent = r ? "Thank you: your answers are saved" : "Thank you for agreeing to take part";
      fill(body, el("p", {id: "study-wait"}, r
        ? (r.index + 1 < st.practice_rounds + st.rounds ? "The next round starts once every participant has answered. This page updates by itself." : "The study finishes once every participant has answered. This page updates by itself.")
        : "The first round starts once every participant has agreed to take part. This page updates by itself."));
      break;
    case "negotiating":
      h.textContent = studyRoundLabel(r);
      fill(body, el("p", {class: "muted"}, r && r.practice
        ? "This round is for practice and does not count. Negotiate as you would for real; after it you answer a few questions."
        : "This round counts. A fresh negotiation of the same issues: the other side starts over too. After it you answer a few questions."));
      break;
    case "questionnaire": return renderQuestionnaire(h, body);
    case "complete": return renderComplete(h, body);
  }
  box.dataset.form = "";
}

/** A text as paragraphs: blank lines separate them; a line break inside one is kept only
 * before a list item (`- `, `* `, `• `, `1. `), otherwise the lines are joined. */
function paragraphs(text) {
  return text.trim().split(/\n\s*\n/).map(par => {
    const lines = par.split("\n");
    let out = lines[0].trim();
    for (const line of lines.slice(1)) out += (/^\s*([-*•]|\d+[.)])\s/.test(line) ? "\n" : " ") + line.trim();
    return el("p", {}, out);
  });
}

function renderConsent(h, body) {
  const box = $("study");
  if (box.dataset.form === "consent") return;
  box.dataset.form = "consent";
  h.textContent = "Before you start: consent";
  fill(body,
    el("div", {class: "consent-text", id: "consent-text", tabindex: "0", role: "region", "aria-label": "Consent text"}, paragraphs(S.study.consent || "")),
    el("p", {class: "muted"}, "Nothing of the negotiation is shown before you agree."),
    el("div", {class: "actions"},
      button("I agree to take part", () => send({type: "consent", id: String(S.nextId++), agree: true}), {class: "primary", id: "consent-yes"}),
      button("I do not agree", async () => {
        const ok = await confirmMove("Decline to take part?", "You will not take part in the study, and nothing more will be asked of you.", "Decline");
        if (ok) send({type: "consent", id: String(S.nextId++), agree: false});
      }, {id: "consent-no"})));
}

function renderQuestionnaire(h, body) {
  const box = $("study");
  const r = S.study.round;
  const key = "q-" + (r ? r.index : "");
  if (box.dataset.form === key) return;
  box.dataset.form = key;
  h.textContent = "Questions about the " + (r && r.practice ? "practice round" : "round you just played");
  const qs = S.study.questions || [];
  const fields = qs.map((q, k) => {
    const req = q.required ? el("span", {class: "req"}, " (required)") : el("span", {class: "muted"}, " (optional)");
    const name = "q" + k;
    if (q.kind === "text") {
      const max = q.max_chars || 4000;
      const count = el("span", {class: "muted count", id: name + "-count", "aria-live": "polite"}, "0 of " + max + " characters");
      const ta = el("textarea", {id: name, rows: "3", maxlength: String(max), "data-q": q.id, "aria-describedby": name + "-count", oninput: () => { count.textContent = ta.value.length + " of " + max + " characters"; }});
      return el("div", {class: "q field", "data-q": q.id}, el("label", {for: name}, q.text, req), ta, count);
    }
    const options = q.kind === "scale" ? [1, 2, 3, 4, 5, 6, 7].map(String) : q.options;
    const radios = options.map((o, j) => el("label", {class: "opt", for: name + "-" + j},
      el("input", {type: "radio", name, id: name + "-" + j, value: o, "data-q": q.id}), " ", o));
    const scale = q.kind === "scale";
    return el("fieldset", {class: "q" + (scale ? " scale" : ""), "data-q": q.id}, el("legend", {}, q.text, req),
      scale && q.low ? el("span", {class: "muted end"}, "1 = " + q.low) : null,
      el("div", {class: scale ? "opts row" : "opts"}, radios),
      scale && q.high ? el("span", {class: "muted end"}, "7 = " + q.high) : null);
  });
  const msg = el("p", {id: "q-msg", role: "alert"});
  const form = el("form", {id: "q-form", novalidate: true},
    el("p", {class: "muted"}, qs.length ? "Private: only the researcher sees your answers, never the other participants. The next round starts once every participant has answered." : "The next round starts once every participant is ready."),
    fields, msg,
    el("div", {class: "actions"}, el("button", {type: "submit", class: "primary", id: "q-send"}, qs.length ? "Send my answers" : "Continue")));
  form.addEventListener("submit", ev => { ev.preventDefault(); sendAnswers(); });
  fill(body, form);
}

/** Reads the questionnaire, checks what the server checks, and sends the answers. */
function sendAnswers() {
  const qs = S.study.questions || [];
  const answers = {};
  const missing = [];
  qs.forEach((q, k) => {
    let v = null;
    if (q.kind === "text") { const t = $("q" + k).value; v = t.trim() ? t : null; }
    else { const c = document.querySelector("input[name=q" + k + "]:checked"); v = c ? (q.kind === "scale" ? Number(c.value) : c.value) : null; }
    if (v === null) { if (q.required) missing.push(q.text); } else answers[q.id] = v;
  });
  const msg = $("q-msg");
  if (missing.length) { msg.textContent = "Please answer: " + missing.join("; "); msg.className = "below"; return; }
  msg.textContent = "Sending…"; msg.className = "muted";
  S.answersId = String(S.nextId++);
  send({type: "answers", id: S.answersId, round: S.study.round.index, answers});
}

/** An error for the answers just sent goes under the form; returns whether it was one. */
function studyError(m) {
  if (!S.answersId || m.id !== S.answersId || !$("q-msg")) return false;
  $("q-msg").textContent = m.message; $("q-msg").className = "below";
  return true;
}

function renderComplete(h, body) {
  const box = $("study");
  if (box.dataset.form === "complete") return;
  box.dataset.form = "complete";
  h.textContent = "Thank you: the study is complete";
  const c = S.study.completion || {};
  const code = c.code ? el("p", {}, "Your completion code: ", el("strong", {id: "completion-code"}, c.code), " ",
    button("Copy the code", async ev => { try { await navigator.clipboard.writeText(c.code); ev.target.textContent = "Copied"; } catch (e) { ev.target.textContent = "Select it and copy"; } }, {id: "completion-copy"})) : null;
  fill(body,
    el("p", {}, "Your answers are saved. To finish, follow this link" + (c.code ? " and give the code if you are asked for it." : ".")),
    c.url ? el("p", {}, el("a", {href: c.url, id: "completion-link", class: "button primary", rel: "noopener noreferrer"}, "Finish the study")) : null,
    code);
}
