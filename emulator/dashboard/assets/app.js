// acsemu dashboard: renders the server's view (GET api/view, then the
// Server-Sent Events stream "events"). Every value goes in through
// textContent, never as HTML.
"use strict";

const state = { view: null, requests: [], cursor: 0 };
const MAX_REQUESTS = 200;

function el(tag, attrs, ...kids) {
  const n = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") n.className = v;
    else if (k === "style") Object.assign(n.style, v);
    else if (k.startsWith("on")) n.addEventListener(k.slice(2), v);
    else n.setAttribute(k, v === true ? "" : v);
  }
  for (const kid of kids.flat()) {
    if (kid === null || kid === undefined || kid === false) continue;
    n.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
  }
  return n;
}
const num = (n) => Number(n).toLocaleString("en-US");
const time = (t) => (t ? new Date(t).toISOString().replace("T", " ").replace("Z", "") : "–");
const empty = (text) => el("p", { class: "empty" }, text);

// ---- tabs: buttons, arrow keys move between them ----
const tabs = [...document.querySelectorAll('[role="tab"]')];
function select(tab) {
  for (const t of tabs) {
    const on = t === tab;
    t.setAttribute("aria-selected", on);
    t.tabIndex = on ? 0 : -1;
    document.getElementById(t.getAttribute("aria-controls")).hidden = !on;
  }
  history.replaceState(null, "", "#" + tab.getAttribute("aria-controls")); // not location.hash: that would move focus off the tab
}
for (const t of tabs) {
  t.addEventListener("click", () => select(t));
  t.addEventListener("keydown", (e) => {
    const i = tabs.indexOf(t);
    let j = -1;
    if (e.key === "ArrowRight") j = (i + 1) % tabs.length;
    if (e.key === "ArrowLeft") j = (i - 1 + tabs.length) % tabs.length;
    if (e.key === "Home") j = 0;
    if (e.key === "End") j = tabs.length - 1;
    if (j >= 0) { e.preventDefault(); tabs[j].focus(); select(tabs[j]); }
  });
}
const initial = tabs.find((t) => "#" + t.getAttribute("aria-controls") === location.hash);
if (initial) select(initial);

// ---- documents ----
function span(cls, start, end, size, title) {
  const left = (start / size) * 100, width = Math.max(((end - start + 1) / size) * 100, 0.3);
  return el("span", { class: cls, title, style: { left: left + "%", width: width + "%" } });
}
function renderDocuments(v) {
  const out = [];
  for (const d of v.documents) {
    const c = d.coverage, size = Math.max(c.size, 1);
    const stateClass = { downloaded: "ok", deleted: "none", "partly downloaded": "bad" }[d.state] || "none";
    const union = el("div", { class: "bar", role: "img", "aria-label": "coverage: " + c.summary, "data-bar": "union" },
      c.covered.map((s) => span("covered", s.start, s.end, size, `delivered ${num(s.start)}–${num(s.end)}`)),
      c.gaps.map((s) => span("gap", s.start, s.end, size, `GAP ${num(s.start)}–${num(s.end)}`)),
      c.overlaps.map((s) => span("overlap", s.start, s.end, size, `OVERLAP ${num(s.start)}–${num(s.end)}`)));
    const rows = c.segments.filter((s) => s.served).map((s) => {
      const bar = el("div", { class: "bar", "data-request": s.requestId },
        span("asked", s.served.start, s.served.end, size, `request #${s.requestId} served ${num(s.served.start)}–${num(s.served.end)}`),
        s.delivered > 0 ? span("delivered", s.served.start, s.served.start + s.delivered - 1, size, `delivered ${num(s.delivered)} bytes`) : null,
        s.cut && s.cutAt >= 0 ? el("span", { class: "cut", style: { left: (s.cutAt / size) * 100 + "%" }, title: `${s.cut} at ${num(s.cutAt)}` }) : null);
      return el("div", { class: "row" }, el("span", { class: "label" }, `#${s.requestId}`), bar);
    });
    out.push(el("article", { class: "card", "data-doc": d.id },
      el("h2", {}, d.id, " ", el("span", { class: "badge " + stateClass, "data-state": d.state }, d.state)),
      el("p", { class: "meta" },
        `recording ${d.recordingId || "–"} · chunk ${d.index} · ${d.mediaKind || "media"} · `,
        d.size >= 0 ? `${num(d.size)} bytes` : "size unknown (deleted)", " · sha256 ",
        d.sha256 || "not computed yet (GET /_emulator/documents/" + d.id + " computes it)"),
      el("p", { class: "summary" }, el("strong", {}, "Coverage: "), c.summary),
      el("div", { class: "rows" }, el("div", { class: "row" }, el("span", { class: "label" }, "all requests"), union), rows),
      c.omitted ? el("p", { class: "meta" }, `${c.omitted} older requests not shown`) : null,
      el("ol", { class: "notes" }, c.segments.map((s) =>
        el("li", { class: s.relation }, `#${s.requestId} ${s.asked ? "Range " + s.asked : "no Range"} → ${s.status}: ${s.note}`, s.fault ? ` (${s.fault})` : "")))));
  }
  document.getElementById("documents-list").replaceChildren(...(out.length ? out : [empty("No documents. Create a recording (POST /_emulator/recordings) or start one through Call Automation.")]));
}

// ---- deliveries ----
function resultBadge(r) {
  if (r === "Delivered") return el("span", { class: "badge ok", "data-result": r }, "✓ Delivered");
  if (r === "Retrying") return el("span", { class: "badge warn", "data-result": r }, "… Retrying");
  return el("span", { class: "badge bad", "data-result": r }, "✗ " + r);
}
async function showAttempt(a) {
  const box = document.getElementById("attempt-detail");
  box.hidden = false;
  box.replaceChildren(el("p", {}, "loading attempt #" + a.seq + "…"));
  const res = await fetch("api/attempts/" + a.seq, { headers: { Accept: "application/json" } });
  const body = await res.json();
  if (!res.ok) { box.replaceChildren(el("p", { role: "alert" }, body.error ? body.error.message : res.statusText)); box.focus(); return; }
  const headers = Object.entries(body.header).map(([k, vs]) => `${k}: ${vs.join(", ")}`).join("\n");
  box.replaceChildren(
    el("h3", {}, `Attempt ${a.attempt} (aeg-delivery-count) of ${a.eventIds.join(", ")}`),
    el("p", {}, `${body.method} ${body.url} → ${a.status || "no answer"} ${a.outcome}${a.error ? " (" + a.error + ")" : ""}${a.fault ? " · fault: " + a.fault : ""}`),
    el("h4", {}, "Headers"), el("pre", { "data-part": "headers" }, headers),
    el("h4", {}, `Body (${num(body.bodyBytes)} bytes${body.bodyBytes > body.body.length ? ", first " + num(body.body.length) + " shown" : ""})`),
    el("pre", { "data-part": "body" }, pretty(body.body)),
    el("button", { type: "button", onclick: () => { box.hidden = true; } }, "Close"));
  box.focus();
}
function renderDeliveries(v) {
  const out = v.subscriptions.map((s) => {
    const dels = s.deliveries.map((d) => el("tr", { "data-events": d.eventIds.join(",") },
      el("td", { class: "mono" }, d.eventIds.join(", ")),
      el("td", {}, el("div", { class: "attempts" }, d.attempts.map((a) => {
        const ok = a.disposition === "Delivered";
        const delay = a.nextAttemptNominal ? ` · next in ${secs(new Date(a.nextAttemptNominal) - new Date(a.nominalTime))}` : "";
        return el("button", { type: "button", class: "attempt " + (ok ? "ok" : "bad"), "data-seq": a.seq, "data-key": "attempt-" + a.seq, onclick: () => showAttempt(a),
          "aria-label": `attempt ${a.attempt}: ${a.status || "no answer"} ${a.outcome}, ${a.disposition}; show headers and body` },
          `#${a.attempt} ${a.status || "–"} ${a.outcome} at ${time(a.nominalTime)}${delay}${a.fault ? " · fault" : ""}`);
      }))),
      el("td", {}, resultBadge(d.result)),
      el("td", {}, d.ahead && d.ahead.length ? d.ahead.join(", ") : "–")));
    const dead = s.deadLetters.length ? el("table", {}, el("thead", {}, el("tr", {}, ["event", "reason", "attempts", "last outcome", "blob"].map((h) => el("th", {}, h)))),
      el("tbody", {}, s.deadLetters.map((d) => el("tr", {}, el("td", { class: "mono" }, d.eventId), el("td", {}, d.deadLetterReason),
        el("td", {}, d.deliveryAttempts), el("td", {}, `${d.lastDeliveryOutcome} ${d.lastHttpStatusCode || ""}`), el("td", { class: "mono" }, d.blobPath))))) : empty("no dead letters");
    const prov = s.provisioningState;
    return el("article", { class: "card", "data-sub": s.name },
      el("h2", {}, s.name, " ", el("span", { class: "badge " + (prov === "Succeeded" ? "ok" : prov === "Failed" ? "bad" : "warn") }, "validation: " + prov)),
      el("p", { class: "meta" }, `${s.endpointUrl} · delivered ${s.delivered} · queued ${s.queued} · retrying ${s.retrying} · dead-lettered ${s.deadLettered} · dropped ${s.dropped}`),
      s.failureReason ? el("p", {}, "Validation failed: " + s.failureReason) : null,
      s.provisioningDetail ? el("p", {}, "Handshake: " + s.provisioningDetail) : null,
      s.validationUrl ? el("p", { class: "mono" }, "validationUrl: " + s.validationUrl) : null,
      s.deliveries.length ? el("table", {}, el("thead", {}, el("tr", {}, ["events", "attempts (click for headers and body)", "result", "retry schedule ahead"].map((h) => el("th", {}, h)))), el("tbody", {}, dels)) : empty("no deliveries yet"),
      el("h3", {}, "Dead letters"), dead);
  });
  document.getElementById("deliveries-list").replaceChildren(...(out.length ? out : [empty("No Event Grid subscriptions.")]));
}
// pretty indents a JSON body (a clipped one stays as sent).
function pretty(text) {
  try { return JSON.stringify(JSON.parse(text), null, 2); } catch (e) { return text; }
}
const secs = (ms) => (ms >= 60000 ? (ms / 60000).toFixed(1) + " min" : (ms / 1000).toFixed(1) + " s");

// ---- signatures ----
// marked shows text with the part after its common prefix with other highlighted.
function marked(text, other) {
  let i = 0;
  while (i < text.length && i < other.length && text[i] === other[i]) i++;
  return [text.slice(0, i), el("mark", {}, text.slice(i) || "(nothing)")];
}
function renderSignatures(v) {
  const out = v.signatures.slice().reverse().map((s) => el("article", { class: "card", "data-request": s.requestId },
    el("h2", {}, `#${s.requestId} ${s.method} ${s.path} → ${s.status} `, el("span", { class: "badge bad" }, s.failure)),
    el("p", { class: "meta" }, time(s.time)),
    el("p", {}, s.explanation),
    s.lines && s.lines.length ? el("table", {}, el("thead", {}, el("tr", {}, ["part", "emulator expected", s.clientSent ? "client signed" : "client signed (send X-Acsemu-String-To-Sign to compare)", ""].map((h) => el("th", {}, h)))),
      el("tbody", {}, s.lines.map((l) => el("tr", { class: l.differs ? "differs" : "" }, el("td", {}, l.name),
        el("td", { class: "mono" }, l.differs ? marked(l.expected, l.signed) : l.expected),
        el("td", { class: "mono" }, s.clientSent ? (l.differs ? marked(l.signed, l.expected) : l.signed) : "–"),
        el("td", {}, l.differs ? "≠ differs" : s.clientSent ? "= same" : ""))))) : null));
  document.getElementById("signatures-list").replaceChildren(...(out.length ? out : [empty("No refused signatures.")]));
}

// ---- faults ----
async function control(method, path, body) {
  const res = await fetch("/_emulator/" + path, { method, headers: { "Content-Type": "application/json", Accept: "application/json" }, body });
  if (!res.ok) {
    let msg = res.status + " " + res.statusText;
    try { const j = await res.json(); if (j.error) msg = j.error.code + ": " + j.error.message; } catch (e) { /* not JSON */ }
    throw new Error(msg);
  }
}
document.getElementById("fault-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const err = document.getElementById("fault-error");
  err.textContent = "";
  try { await control("POST", "faults", document.getElementById("fault-json").value); refresh(); } catch (x) { err.textContent = x.message; }
});
function renderFaults(v) {
  const out = v.faults.map((f) => el("article", { class: "card", "data-rule": f.rule.id },
    el("h2", {}, f.rule.id, " ", el("span", { class: "badge " + (f.fired ? "bad" : "none") }, `fired ${f.fired} of ${f.matched} matched`)),
    f.rule.description ? el("p", {}, f.rule.description) : null,
    el("pre", {}, JSON.stringify({ match: f.rule.match, when: f.rule.when, action: f.rule.action })),
    el("button", { type: "button", "data-key": "remove-" + f.rule.id, "aria-label": "remove rule " + f.rule.id, onclick: async () => {
      try { await control("DELETE", "faults/" + encodeURIComponent(f.rule.id)); refresh(); } catch (x) { document.getElementById("fault-error").textContent = x.message; }
    } }, "Remove rule"),
    f.hits.length ? el("table", {}, el("thead", {}, el("tr", {}, ["time", "request", "what happened"].map((h) => el("th", {}, h)))),
      el("tbody", {}, f.hits.map((h) => el("tr", {}, el("td", {}, time(h.time)),
        el("td", { class: "mono" }, h.subscription ? `delivery ${h.subscription} attempt ${h.attempt}` : `${h.method} ${h.path}`), el("td", {}, h.fault))))) : empty("no hits yet")));
  document.getElementById("faults-list").replaceChildren(...(out.length ? out : [empty("No fault rules.")]));
}

// ---- Call Automation ----
function renderCalls(v) {
  const c = v.calls;
  const recs = c.recordings.map((r) => el("tr", { "data-recording": r.recordingId }, el("td", { class: "mono" }, r.recordingId),
    el("td", {}, el("span", { class: "badge " + (r.stopped ? "none" : r.state === "active" ? "ok" : "warn"), "data-state": r.stopped ? "stopped" : r.state }, r.stopped ? (r.processed ? "stopped, file ready" : "stopped, processing") : r.state)),
    el("td", {}, time(r.startTime)), el("td", {}, `${num(r.activeDurationMs)} ms`), el("td", {}, r.pauses.length), el("td", {}, `${r.contentType} ${r.channelType} ${r.format}`)));
  const evs = c.events.slice().reverse().map((e) => el("tr", { "data-kind": e.kind }, el("td", {}, time(e.time)), el("td", {}, e.kind),
    el("td", { class: "mono" }, `${e.method} ${e.path}`), el("td", {}, el("span", { class: "badge " + (e.status >= 200 && e.status < 300 ? "ok" : "bad") }, e.status || "no answer")), el("td", {}, e.error || "")));
  document.getElementById("calls-list").replaceChildren(
    el("p", {}, `Recording clock: ${time(c.clock.now)}${c.clock.manual ? " (manual)" : ""} · processing delay ${c.clock.processingDelay}`),
    el("h2", {}, "Recordings"),
    recs.length ? el("table", {}, el("thead", {}, el("tr", {}, ["recording", "state", "started", "active", "pauses", "kind"].map((h) => el("th", {}, h)))), el("tbody", {}, recs)) : empty("No Call Automation recordings."),
    el("h2", {}, "Requests and state-change callbacks (emulator clock)"),
    evs.length ? el("table", {}, el("thead", {}, el("tr", {}, ["time", "kind", "request", "status", "error"].map((h) => el("th", {}, h)))), el("tbody", {}, evs)) : empty("None yet."));
}

// ---- live request log ----
function renderRequests() {
  const rows = state.requests.slice().reverse().map((r) => el("tr", { "data-id": r.id }, el("td", {}, r.id), el("td", {}, time(r.time)), el("td", {}, `${r.plane}/${r.target}`),
    el("td", { class: "mono" }, `${r.method} ${r.path}`), el("td", {}, r.status), el("td", {}, r.rangeAsked || ""), el("td", {}, num(r.bytesSent)),
    el("td", {}, r.authOk === false ? "✗ refused" : r.authOk ? "✓" : ""), el("td", {}, r.fault || r.error || "")));
  document.getElementById("requests-list").replaceChildren(rows.length ? el("table", {}, el("thead", {}, el("tr", {}, ["#", "time", "plane/target", "request", "status", "Range", "bytes", "signature", "fault / error"].map((h) => el("th", {}, h)))), el("tbody", {}, rows)) : empty("No requests yet."));
}

function render() {
  const v = state.view;
  if (!v) return;
  // Live updates rebuild the lists: keep the keyboard focus where it was.
  const key = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.key : undefined;
  document.getElementById("clock").textContent = "emulator clock: " + time(v.now);
  renderDocuments(v); renderDeliveries(v); renderSignatures(v); renderFaults(v); renderCalls(v); renderRequests();
  if (key) {
    const again = document.querySelector(`[data-key="${CSS.escape(key)}"]`);
    if (again) again.focus();
  }
}

// ---- data: one fetch, then the event stream ----
async function refresh() {
  const res = await fetch("api/view", { headers: { Accept: "application/json" } });
  if (res.ok) { state.view = await res.json(); render(); }
}
function connect() {
  const status = document.getElementById("status");
  const es = new EventSource("events");
  es.addEventListener("open", () => { status.textContent = "live"; });
  es.addEventListener("error", () => { status.textContent = "disconnected, retrying…"; });
  es.addEventListener("snapshot", (e) => {
    const m = JSON.parse(e.data);
    state.requests = m.requests; state.cursor = m.cursor; state.view = m.view;
    render();
  });
  es.addEventListener("update", (e) => {
    const m = JSON.parse(e.data);
    state.requests = state.requests.concat(m.requests.filter((r) => r.id > state.cursor)).slice(-MAX_REQUESTS);
    state.cursor = m.cursor;
    if (m.view) state.view = m.view;
    render();
  });
  es.addEventListener("resync", (e) => { status.textContent = "live (resynced: " + JSON.parse(e.data).reason + ")"; });
}
connect();
