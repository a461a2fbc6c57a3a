// The page: a minimal Slack client for the local workspace. It polls one snapshot and sends what a person does
// to /ui/do; the sandbox turns that into what Slack would send Porchlight.
"use strict";

const { el } = Blocks;
const $ = (id) => document.getElementById(id);
const S = {
  me: localStorage.getItem("porchlight.me") || "",
  channel: localStorage.getItem("porchlight.channel") || "",
  thread: null,
  tab: "messages",
  version: "",
  snap: null,
  keys: {},          // what each region was last rendered from, so unchanged regions keep their DOM
  viewState: {},     // view id -> block id -> action id -> {raw, reported}: what a person entered in a modal
  clientErrors: {},  // view id -> block id -> message (Slack's own client checks)
  busy: false,
  asked: 0,          // snapshots asked for, in order
  shown: 0,          // the newest one rendered: an older answer arriving late is dropped
};

function banner(text) {
  const b = $("banner");
  b.textContent = text;
  b.hidden = false;
  clearTimeout(banner.timer);
  banner.timer = setTimeout(() => { b.hidden = true; }, 6000);
}

async function api(op, body) {
  let answer = {};
  try {
    const response = await fetch("/ui/do", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ op, as: S.me, ...body }),
    });
    answer = await response.json();
  } catch (e) {
    answer = { ok: false, error: "The sandbox is not answering; is it still running?" };
  }
  if (!answer.ok && answer.error) banner(answer.error);
  await refresh(true);
  return answer;
}

async function refresh(force) {
  if (S.busy && !force) return;
  S.busy = true;
  const asked = ++S.asked;
  try {
    const query = new URLSearchParams({ as: S.me, channel: S.channel, thread: S.thread || "", since: force ? "" : S.version });
    const response = await fetch("/ui/snapshot?" + query);
    const snap = await response.json();
    // A poll sent before the person switched channel (or person) may answer after the forced refresh that
    // followed: rendering it would switch them back.
    if (asked < S.shown) return;
    S.shown = asked;
    if (!snap.same) { S.version = snap.version; render(snap); }
  } catch (e) {
    // The sandbox stopped or is restarting: keep what is shown, try again at the next poll.
  } finally {
    S.busy = false;
  }
}

function changed(region, value) {
  const key = JSON.stringify(value);
  if (S.keys[region] === key) return false;
  S.keys[region] = key;
  return true;
}

function context(snap, extra) {
  return {
    names: snap.names, channelNames: snap.channel_names, people: snap.people,
    allChannels: snap.channels.filter((c) => c.kind === "channel"),
    openChannel: (id) => openChannel(id), openMessage: (channel, ts) => openChannel(channel, ts),
    confirm: confirmDialog, store: () => {}, initial: () => undefined, errors: {}, act: () => {}, ...extra,
  };
}

// -- regions ---------------------------------------------------------------------------------------------------
function render(snap) {
  S.snap = snap;
  S.me = snap.me.id;
  S.channel = snap.channel;
  localStorage.setItem("porchlight.me", S.me);
  localStorage.setItem("porchlight.channel", S.channel);
  renderPeople(snap);
  renderClock(snap);
  renderSidebar(snap);
  renderChannel(snap);
  renderThread(snap);
  renderViews(snap);
}

function renderPeople(snap) {
  if (!changed("people", [snap.people, snap.me.id])) return;
  const select = $("person");
  select.replaceChildren(...snap.people.map((p) => el("option", {
    value: p.id, selected: p.id === snap.me.id, text: `${p.name} (${p.role})`,
  })));
}

function renderClock(snap) {
  $("now").textContent = snap.clock.now;
  if (!changed("moves", snap.clock.moves)) return;
  $("moves").replaceChildren(...snap.clock.moves.map((m) => el("button", {
    type: "button", class: "clock-move", "data-move": m.id, title: "to " + m.to, text: m.label,
    onclick: async (e) => {
      const buttons = document.querySelectorAll(".clock-move");
      buttons.forEach((b) => { b.disabled = true; });
      $("now").textContent = "moving…";
      await api("clock", { move: m.id });
      buttons.forEach((b) => { b.disabled = false; });
    },
  })));
}

function renderSidebar(snap) {
  if (!changed("sidebar", [snap.channels, snap.channel, S.tab])) return;
  const item = (c) => el("a", {
    href: "#", class: "channel" + (c.id === snap.channel ? " active" : ""), "data-id": c.id,
    onclick: (e) => { e.preventDefault(); openChannel(c.id); },
  }, c.kind === "dm" ? "● " : "# ", c.name,
  c.shared_with.length ? el("span", { class: "shared-badge", title: "Shared with " + c.shared_with.join(", "), text: "⇄" }) : null);
  const channels = snap.channels.filter((c) => c.kind === "channel");
  const dms = snap.channels.filter((c) => c.kind === "dm");
  $("sidebar").replaceChildren(
    el("div", { class: "me" }, el("b", { text: snap.me.name }), el("div", { class: "muted", text: snap.me.role }),
      el("div", { class: snap.me.external ? "external-badge" : "muted", text: snap.me.team })),
    el("h3", { text: "Channels" }), ...channels.map(item),
    el("h3", { text: "Apps" }), ...dms.map(item));
}

function openChannel(id, ts) {
  S.channel = id;
  S.thread = ts || null;
  S.tab = "messages";
  S.keys.messages = "";
  refresh(true);
}

function renderChannel(snap) {
  const channel = snap.channels.find((c) => c.id === snap.channel);
  const isDm = channel.kind === "dm";
  if (!isDm && S.tab === "home") S.tab = "messages";
  if (changed("head", [channel, S.tab])) {
    $("channel-head").replaceChildren(...[
      el("h2", { text: (isDm ? "" : "#") + channel.name }),
      channel.shared_with.length ? el("span", { class: "shared-note", text: "Shared with " + channel.shared_with.join(", ") + " (external organisation)" }) : null,
      channel.bot ? null : el("span", { class: "muted", text: " Porchlight is not in this channel" })].filter(Boolean));
    $("tabs").replaceChildren(...(isDm ? ["home", "messages"].map((tab) => el("button", {
      type: "button", class: "tab" + (S.tab === tab ? " active" : ""), "data-tab": tab, text: tab === "home" ? "Home" : "Messages",
      onclick: () => { S.tab = tab; S.keys.head = ""; if (tab === "home") api("home", {}); else refresh(true); },
    })) : []));
  }
  $("home").hidden = S.tab !== "home";
  $("messages").hidden = S.tab === "home";
  $("composer").hidden = S.tab === "home";
  if (S.tab === "home") {
    if (changed("home", [snap.home, snap.names])) {
      $("home").replaceChildren(snap.home ? Blocks.render(snap.home.blocks, homeContext(snap)) : el("p", { class: "muted", text: "Opening the Home tab…" }));
    }
    return;
  }
  if (!changed("messages", [snap.channel, snap.messages, snap.names])) return;
  const box = $("messages");
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40 || !box.childElementCount;
  box.replaceChildren(...snap.messages.map((m) => message(m, snap, snap.channel, true)));
  if (atBottom) box.scrollTop = box.scrollHeight;
}

function homeContext(snap) {
  const state = {};
  return context(snap, {
    store: (b, a, raw, reported) => { (state[b] = state[b] || {})[a] = reported; },
    act: (action) => api("act", { view_id: "home", action, state }),
  });
}

function when(ts) {
  const date = new Date(parseFloat(ts) * 1000);
  const zone = S.snap && S.snap.zone ? { timeZone: S.snap.zone } : {};  // the community's, like the clock
  return date.toLocaleString([], { weekday: "short", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", ...zone });
}

function message(m, snap, channel, topLevel) {
  const ctx = context(snap, {
    act: (action) => api("act", { channel, ts: m.ts, ephemeral: m.ephemeral, action }),
  });
  const shortcuts = snap.shortcuts.filter((s) => s.type === "message");
  const menu = m.ephemeral ? null : el("div", { class: "msg-menu" },
    el("button", { type: "button", class: "menu-button", title: "More actions", "aria-label": "More actions",
      text: "⋯", onclick: (e) => toggleMenu(e.currentTarget) }),
    el("div", { class: "menu", hidden: true },
      topLevel ? el("button", { type: "button", text: "Reply in thread", onclick: () => { S.thread = m.ts; refresh(true); } }) : null,
      ...shortcuts.map((s) => el("button", { type: "button", class: "shortcut", "data-callback-id": s.callback_id, text: s.name,
        onclick: () => api("shortcut", { channel, ts: m.ts, callback_id: s.callback_id }) }))));
  return el("div", { class: "message" + (m.bot ? " bot" : "") + (m.ephemeral ? " ephemeral" : ""), "data-ts": m.ts },
    el("div", { class: "meta" }, el("b", { text: m.author_name }),
      m.bot ? el("span", { class: "app-badge", text: "APP" }) : null,
      m.external ? el("span", { class: "external-badge", text: "external" }) : null,
      el("span", { class: "muted", text: " " + when(m.ts) }),
      m.edited ? el("span", { class: "muted", text: " (edited)" }) : null),
    el("div", { class: "msg-body" }, m.blocks && m.blocks.length ? Blocks.render(m.blocks, ctx) : Blocks.mrkdwn(m.text, ctx),
      Blocks.files(m.files)),
    m.ephemeral ? el("div", { class: "muted small", text: "Only visible to you" }) : null,
    topLevel && m.replies ? el("a", { href: "#", class: "replies", text: `${m.replies} ${m.replies === 1 ? "reply" : "replies"}`,
      onclick: (e) => { e.preventDefault(); S.thread = m.ts; refresh(true); } }) : null,
    menu);
}

function toggleMenu(button) {
  const menu = button.nextElementSibling;
  document.querySelectorAll(".menu").forEach((m) => { if (m !== menu) m.hidden = true; });
  menu.hidden = !menu.hidden;
}

function renderThread(snap) {
  const pane = $("thread");
  if (!snap.thread) { pane.hidden = true; S.keys.thread = ""; if (S.thread && snap.thread === null) S.thread = null; return; }
  pane.hidden = false;
  if (!changed("thread", [snap.thread, snap.names])) return;
  const input = el("textarea", { rows: 2, id: "reply", placeholder: "Reply…" });
  const form = el("form", { class: "reply-form", onsubmit: (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    if (text.startsWith("/")) api("command", { channel: snap.channel, text });
    else api("say", { channel: snap.channel, text, thread_ts: snap.thread.parent.ts });
  } }, input, el("button", { type: "submit", text: "Reply" }));
  input.addEventListener("keydown", (e) => { if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); } });
  pane.replaceChildren(...[
    el("div", { class: "thread-head" }, el("b", { text: "Thread" }),
      el("button", { type: "button", class: "close", "aria-label": "Close thread", text: "×", onclick: () => { S.thread = null; refresh(true); } })),
    message(snap.thread.parent, snap, snap.channel, false),
    el("div", { class: "muted small", text: `${snap.thread.replies.length} replies` }),
    ...snap.thread.replies.map((m) => message(m, snap, snap.channel, false)),
    form].filter(Boolean));
}

// -- modals ----------------------------------------------------------------------------------------------------
function viewContext(snap, view) {
  const store = (S.viewState[view.id] = S.viewState[view.id] || {});
  const state = () => {
    const values = {};
    for (const [b, byAction] of Object.entries(store)) {
      values[b] = {};
      for (const [a, entry] of Object.entries(byAction)) values[b][a] = entry.reported;
    }
    return values;
  };
  return context(snap, {
    errors: { ...(view.errors || {}), ...(S.clientErrors[view.id] || {}) },
    store: (b, a, raw, reported) => { (store[b] = store[b] || {})[a] = { raw, reported }; },
    initial: (b, a) => store[b] && store[b][a] ? store[b][a].raw : undefined,
    act: (action) => api("act", { view_id: view.id, action, state: state() }),
    suggest: (blockId, actionId, value) => suggest(view.id, blockId, value),
    state,
  });
}

// What the app offers for a search in an external select; nothing when it does not answer (as in Slack).
async function suggest(viewId, blockId, value) {
  try {
    const response = await fetch("/ui/do", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ op: "options", as: S.me, view_id: viewId, block_id: blockId, value }),
    });
    const answer = await response.json();
    return answer.ok && Array.isArray(answer.options) ? answer.options : [];
  } catch (e) {
    return [];
  }
}

function renderViews(snap) {
  const top = snap.views[snap.views.length - 1];
  const overlay = $("overlay");
  if (!top) {
    if (!overlay.querySelector(".confirm")) { overlay.hidden = true; overlay.replaceChildren(); }
    S.keys.view = "";
    return;
  }
  if (!changed("view", [top, S.clientErrors[top.id] || {}, snap.names])) return;
  const view = top.view;
  const ctx = viewContext(snap, top);
  const submit = async () => {
    const problems = clientChecks(view, S.viewState[top.id] || {});
    S.clientErrors[top.id] = problems;
    if (Object.keys(problems).length) { S.keys.view = ""; renderViews(snap); return; }
    await api("submit", { view_id: top.id, state: ctx.state() });
  };
  overlay.hidden = false;
  overlay.replaceChildren(el("div", { class: "modal", role: "dialog", "aria-modal": "true", "data-view-id": top.id,
    "data-callback-id": view.callback_id || "" },
    el("div", { class: "modal-head" },
      top.pushed ? el("button", { type: "button", class: "back", "aria-label": "Back", text: "‹",
        onclick: () => api("close", { view_id: top.id, all: false }) }) : null,
      el("h2", { class: "modal-title", text: Blocks.plain(view.title) }),
      el("button", { type: "button", class: "close", "aria-label": "Close", text: "×",
        onclick: () => api("close", { view_id: top.id, all: true }) })),
    el("div", { class: "modal-body" }, Blocks.render(view.blocks, ctx)),
    el("div", { class: "modal-foot" },
      el("button", { type: "button", class: "modal-cancel", text: Blocks.plain(view.close) || "Cancel",
        onclick: () => api("close", { view_id: top.id, all: false }) }),
      view.submit ? el("button", { type: "button", class: "modal-submit primary", text: Blocks.plain(view.submit), onclick: submit }) : null)));
}

// What Slack's client refuses to send: a required input left empty, text over max_length or under min_length.
function clientChecks(view, store) {
  const problems = {};
  for (const block of view.blocks || []) {
    if (block.type !== "input") continue;
    const entry = (store[block.block_id] || {})[block.element.action_id];
    const raw = entry ? entry.raw : undefined;
    const empty = raw === undefined || raw === null || raw === "" || (Array.isArray(raw) && !raw.length);
    if (empty && !block.optional) problems[block.block_id] = "Please complete this required field.";
    const max = block.element.max_length, min = block.element.min_length;
    if (typeof raw === "string" && max && raw.length > max) problems[block.block_id] = `Must be ${max} characters or fewer.`;
    if (typeof raw === "string" && raw && min && raw.length < min) problems[block.block_id] = `Must be at least ${min} characters.`;
  }
  return problems;
}

function confirmDialog(confirm) {
  return new Promise((resolve) => {
    const overlay = $("overlay");
    const wasHidden = overlay.hidden;
    let dialog;
    const done = (answer) => { dialog.remove(); if (wasHidden && !overlay.childElementCount) overlay.hidden = true; resolve(answer); };
    dialog = el("div", { class: "modal confirm", role: "alertdialog" },
      el("h2", { class: "modal-title", text: Blocks.plain(confirm.title) || "Are you sure?" }),
      el("div", { class: "modal-body" }, confirm.text ? Blocks.mrkdwn(confirm.text.text, context(S.snap, {})) : null),
      el("div", { class: "modal-foot" },
        el("button", { type: "button", class: "confirm-deny", text: Blocks.plain(confirm.deny) || "Cancel", onclick: () => done(false) }),
        el("button", { type: "button", class: "confirm-yes " + (confirm.style || "primary"), text: Blocks.plain(confirm.confirm) || "Yes", onclick: () => done(true) })));
    overlay.hidden = false;
    overlay.append(dialog);
  });
}

// -- composer --------------------------------------------------------------------------------------------------
function setupComposer() {
  const box = $("compose");
  const suggest = $("suggest");
  const send = () => {
    const text = box.value.trim();
    if (!text) return;
    box.value = "";
    suggest.hidden = true;
    if (text.startsWith("/")) api("command", { channel: S.channel, text });
    else api("say", { channel: S.channel, text });
  };
  $("composer").addEventListener("submit", (e) => { e.preventDefault(); send(); });
  box.addEventListener("keydown", (e) => { if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); send(); } });
  const showCommands = (prefix) => {
    const commands = (S.snap ? S.snap.commands : []).filter((c) => c.command.startsWith(prefix));
    const shortcuts = prefix === "/" && S.snap ? S.snap.shortcuts.filter((s) => s.type === "global") : [];
    suggest.replaceChildren(...commands.map((c) => el("button", { type: "button", class: "suggestion",
      onclick: () => { box.value = c.command + " "; suggest.hidden = true; box.focus(); } },
      el("b", { text: c.command }), " ", el("span", { class: "muted", text: [c.usage_hint, c.description].filter(Boolean).join(" · ") }))),
    ...shortcuts.map((s) => el("button", { type: "button", class: "suggestion", text: "⚡ " + s.name,
      onclick: () => { suggest.hidden = true; api("shortcut", { callback_id: s.callback_id }); } })));
    suggest.hidden = !suggest.childElementCount;
  };
  box.addEventListener("input", () => {
    const value = box.value;
    if (value.startsWith("/") && !value.includes(" ")) showCommands(value); else suggest.hidden = true;
  });
  $("tools").addEventListener("click", () => { if (suggest.hidden) showCommands("/"); else suggest.hidden = true; });
}

$("person").addEventListener("change", (e) => {
  S.me = e.target.value;
  S.thread = null;
  S.keys = {};
  refresh(true);
});
document.addEventListener("click", (e) => {
  if (!e.target.closest(".msg-menu")) document.querySelectorAll(".menu").forEach((m) => { m.hidden = true; });
});
setupComposer();
refresh(true);
setInterval(() => refresh(false), 600);
