// Block Kit and Slack mrkdwn, rendered with DOM nodes only: every piece of text goes in through textContent,
// never innerHTML, so nothing a person or the bot wrote can become markup.
"use strict";

const Blocks = (() => {
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  // Slack escapes only these three in message text.
  function decode(text) {
    return String(text).replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  }

  function plainWithBreaks(text) {
    const out = [];
    decode(text).split("\n").forEach((line, i) => {
      if (i) out.push(el("br"));
      if (line) out.push(document.createTextNode(line));
    });
    return out;
  }

  const PERMALINK = /^https:\/\/porchlight-sandbox\.slack\.com\/archives\/([A-Z0-9]+)\/p(\d+)$/;

  function link(inner, ctx) {
    const [target, label] = splitOnce(inner, "|");
    if (target.startsWith("@")) {
      const id = target.slice(1);
      return el("span", { class: "mention", text: "@" + (ctx.names[id] || label || id) });
    }
    if (target.startsWith("#")) {
      const id = target.slice(1);
      return el("a", { class: "mention channel-link", href: "#", "data-channel": id,
        onclick: (e) => { e.preventDefault(); ctx.openChannel && ctx.openChannel(id); },
        text: "#" + (ctx.channelNames[id] || label || id) });
    }
    if (target.startsWith("!")) {
      const special = target.slice(1).split("^")[0];
      return el("span", { class: "mention", text: label ? decode(label) : "@" + special });
    }
    const url = decode(target);
    const shown = label ? decode(label) : url;
    const perma = url.match(PERMALINK);
    if (perma) {  // a link to a message of this workspace: open it here
      const ts = perma[2].slice(0, -6) + "." + perma[2].slice(-6);
      return el("a", { href: "#", class: "permalink", onclick: (e) => { e.preventDefault(); ctx.openMessage && ctx.openMessage(perma[1], ts); }, text: shown });
    }
    if (!/^(https?:|mailto:)/i.test(url)) return document.createTextNode(shown);
    return el("a", { href: url, target: "_blank", rel: "noopener noreferrer", text: shown });
  }

  function splitOnce(text, sep) {
    const at = text.indexOf(sep);
    return at < 0 ? [text, ""] : [text.slice(0, at), text.slice(at + 1)];
  }

  const TOKEN = /```([\s\S]+?)```|`([^`\n]+)`|<([^<>\n]+)>|\*([^*\n]+)\*|(?<![A-Za-z0-9])_([^_\n]+)_(?![A-Za-z0-9])|~([^~\n]+)~/;

  function inline(text, ctx) {
    const out = [];
    let rest = String(text);
    while (rest) {
      const m = rest.match(TOKEN);
      if (!m) { out.push(...plainWithBreaks(rest)); break; }
      if (m.index) out.push(...plainWithBreaks(rest.slice(0, m.index)));
      if (m[1] !== undefined) out.push(el("pre", { text: decode(m[1]) }));
      else if (m[2] !== undefined) out.push(el("code", { text: decode(m[2]) }));
      else if (m[3] !== undefined) out.push(link(m[3], ctx));
      else if (m[4] !== undefined) out.push(el("b", {}, inline(m[4], ctx)));
      else if (m[5] !== undefined) out.push(el("i", {}, inline(m[5], ctx)));
      else if (m[6] !== undefined) out.push(el("s", {}, inline(m[6], ctx)));
      rest = rest.slice(m.index + m[0].length);
    }
    return out;
  }

  function mrkdwn(text, ctx) {
    // Quoted lines ("> ...") become a quote; the rest is inline formatting.
    const out = [];
    let quote = [];
    const flush = () => { if (quote.length) { out.push(el("blockquote", {}, inline(quote.join("\n"), ctx))); quote = []; } };
    const lines = String(text || "").split("\n");
    let plain = [];
    const flushPlain = () => { if (plain.length) { out.push(...inline(plain.join("\n"), ctx)); plain = []; } };
    for (const line of lines) {
      if (line.startsWith("&gt; ") || line === "&gt;") { flushPlain(); quote.push(line.replace(/^&gt; ?/, "")); }
      else { flush(); plain.push(line); }
    }
    flush(); flushPlain();
    return el("span", { class: "mrkdwn" }, out);
  }

  function textObject(obj, ctx) {
    if (!obj) return null;
    if (obj.type === "mrkdwn") return mrkdwn(obj.text, ctx);
    return el("span", { class: "plain" }, plainWithBreaks(obj.text || ""));
  }

  function plain(obj) { return obj && obj.text ? decode(obj.text) : ""; }

  // Only the sandbox's own files are shown as images (the page asks nothing of any other server, and its CSP
  // would refuse it anyway); an image elsewhere is its alt text.
  function sameOrigin(url) {
    try { return new URL(String(url || ""), window.location.href).origin === window.location.origin; }
    catch (e) { return false; }
  }

  function image(url, alt, cls) {
    if (url && sameOrigin(url)) return el("img", { class: cls, src: url, alt: alt || "", title: alt || null });
    return el("span", { class: "muted bk-image-alt " + cls, text: "[image: " + (alt || "") + "]" });
  }

  // Files shared in a message (files.uploadV2): the images side by side (the report's six charts fit a screen),
  // each with its title and the alt text it was uploaded with (shown, so whoever tries the workspace sees that
  // every chart has one; clipped to a few lines, all of it on hover); any other file is a link on its own line.
  function files(list) {
    if (!list || !list.length) return null;
    return el("div", { class: "files" }, list.map((f) => {
      const name = f.title || f.name || "file";
      if (f.is_image) {
        return el("figure", { class: "file", "data-file-id": f.id }, image(f.url_private, f.alt_txt || name, "file-image"),
          el("figcaption", { class: "small" }, el("div", { class: "file-title", text: name }),
            f.alt_txt ? el("div", { class: "muted file-alt", title: f.alt_txt, text: "Alt text: " + f.alt_txt }) : null));
      }
      // The file's kind as a word, not an emoji: a browser without an emoji font shows a box.
      const kind = el("span", { class: "file-kind", text: String(f.filetype || "file").toUpperCase() });
      if (!sameOrigin(f.url_private)) return el("div", { class: "file file-other muted", "data-file-id": f.id }, kind, name);
      return el("div", { class: "file file-other", "data-file-id": f.id }, kind,
        el("a", { href: f.url_private, target: "_blank", rel: "noopener noreferrer", text: name }),
        el("span", { class: "muted small", text: " " + (f.mimetype || "") }));
    }));
  }

  // -- elements ----------------------------------------------------------------------------------------------
  // ctx.store(blockId, actionId, value) keeps an input's state; ctx.act(action) sends a block action;
  // ctx.initial(blockId, actionId) is what the person already entered (kept across re-renders).
  function options(element) {
    if (element.option_groups) return element.option_groups.flatMap((g) => g.options || []);
    return element.options || [];
  }

  function selectOf(element, blockId, ctx, choices, pick, report) {
    const multi = element.type.startsWith("multi_");
    const select = el("select", { class: "bk-select", multiple: multi, "data-action-id": element.action_id,
      "aria-label": plain(element.placeholder) || element.action_id });
    if (!multi) select.append(el("option", { value: "", text: plain(element.placeholder) || "Select an item" }));
    const kept = ctx.initial(blockId, element.action_id);
    const chosen = new Set(kept !== undefined ? kept : pick(element));
    for (const [value, label] of choices) {
      select.append(el("option", { value, text: label, selected: chosen.has(value) }));
    }
    const current = () => [...select.selectedOptions].map((o) => o.value).filter((v) => v !== "");
    const emit = (fire) => {
      const values = current();
      ctx.store(blockId, element.action_id, values, report(values, multi));
      if (fire) ctx.act({ type: element.type, action_id: element.action_id, block_id: blockId, ...report(values, multi) });
    };
    select.addEventListener("change", () => emit(true));
    emit(false);
    return select;
  }

  function element(element, blockId, outer) {
    const type = element.type;
    // What an input reports in view.state carries its element's type, as Slack's does.
    const ctx = { ...outer, store: (b, a, raw, reported) => outer.store(b, a, raw, { type, ...reported }) };
    if (type === "button") {
      const button = el("button", { type: "button", class: "bk-button " + (element.style || ""),
        "data-action-id": element.action_id, text: plain(element.text) });
      button.addEventListener("click", async () => {
        if (element.url && /^https?:/i.test(element.url)) window.open(element.url, "_blank", "noopener");  // never javascript:
        if (element.confirm && !(await ctx.confirm(element.confirm))) return;
        ctx.act({ type, action_id: element.action_id, block_id: blockId, value: element.value, text: element.text });
      });
      return button;
    }
    if (type === "static_select" || type === "multi_static_select") {
      const byValue = new Map(options(element).map((o) => [o.value, o]));
      const initial = (e) => e.initial_options ? e.initial_options.map((o) => o.value) : e.initial_option ? [e.initial_option.value] : [];
      return selectOf(element, blockId, ctx, options(element).map((o) => [o.value, plain(o.text)]), initial,
        (values, multi) => multi ? { selected_options: values.map((v) => byValue.get(v)) } : { selected_option: values.length ? byValue.get(values[0]) : null });
    }
    if (type === "users_select" || type === "multi_users_select") {
      return selectOf(element, blockId, ctx, ctx.people.map((p) => [p.id, p.name]),
        (e) => e.initial_users || (e.initial_user ? [e.initial_user] : []),
        (values, multi) => multi ? { selected_users: values } : { selected_user: values[0] || null });
    }
    if (type === "channels_select" || type === "multi_channels_select") {
      return selectOf(element, blockId, ctx, ctx.allChannels.map((c) => [c.id, "#" + c.name]),
        (e) => e.initial_channels || (e.initial_channel ? [e.initial_channel] : []),
        (values, multi) => multi ? { selected_channels: values } : { selected_channel: values[0] || null });
    }
    if (type === "conversations_select" || type === "multi_conversations_select") {
      const all = [...ctx.allChannels.map((c) => [c.id, "#" + c.name]), ...ctx.people.map((p) => [p.id, "@" + p.name])];
      return selectOf(element, blockId, ctx, all,
        (e) => e.initial_conversations || (e.initial_conversation ? [e.initial_conversation] : []),
        (values, multi) => multi ? { selected_conversations: values } : { selected_conversation: values[0] || null });
    }
    if (type === "overflow") {
      const byValue = new Map(options(element).map((o) => [o.value, o]));
      const select = el("select", { class: "bk-overflow", "data-action-id": element.action_id, "aria-label": "More" },
        el("option", { value: "", text: "⋯" }), options(element).map((o) => el("option", { value: o.value, text: plain(o.text) })));
      select.addEventListener("change", () => {
        if (!select.value) return;
        ctx.act({ type, action_id: element.action_id, block_id: blockId, selected_option: byValue.get(select.value) });
        select.value = "";
      });
      return select;
    }
    if (type === "datepicker" || type === "timepicker") {
      const key = type === "datepicker" ? "selected_date" : "selected_time";
      const kept = ctx.initial(blockId, element.action_id);
      const input = el("input", { type: type === "datepicker" ? "date" : "time", class: "bk-" + type,
        "data-action-id": element.action_id,
        value: kept !== undefined ? kept : (type === "datepicker" ? element.initial_date : element.initial_time) || "" });
      const emit = (fire) => {
        ctx.store(blockId, element.action_id, input.value, { [key]: input.value || null });
        if (fire) ctx.act({ type, action_id: element.action_id, block_id: blockId, [key]: input.value || null });
      };
      input.addEventListener("change", () => emit(true));
      emit(false);
      return input;
    }
    if (type === "checkboxes" || type === "radio_buttons") {
      const radio = type === "radio_buttons";
      const byValue = new Map(options(element).map((o) => [o.value, o]));
      const kept = ctx.initial(blockId, element.action_id);
      const initial = new Set(kept !== undefined ? kept : radio ? (element.initial_option ? [element.initial_option.value] : [])
        : (element.initial_options || []).map((o) => o.value));
      const name = "r" + Math.random().toString(36).slice(2);
      const box = el("div", { class: "bk-" + type, "data-action-id": element.action_id });
      const inputs = options(element).map((o) => {
        const input = el("input", { type: radio ? "radio" : "checkbox", name, value: o.value, checked: initial.has(o.value) });
        box.append(el("label", { class: "bk-option" }, input, " ", textObject(o.text, ctx),
          o.description ? el("span", { class: "muted" }, " ", textObject(o.description, ctx)) : null));
        return input;
      });
      const emit = (fire) => {
        const values = inputs.filter((i) => i.checked).map((i) => i.value);
        const reported = radio ? { selected_option: values.length ? byValue.get(values[0]) : null }
          : { selected_options: values.map((v) => byValue.get(v)) };
        ctx.store(blockId, element.action_id, values, reported);
        if (fire) ctx.act({ type, action_id: element.action_id, block_id: blockId, ...reported });
      };
      inputs.forEach((i) => i.addEventListener("change", () => emit(true)));
      emit(false);
      return box;
    }
    if (["plain_text_input", "number_input", "email_text_input", "url_text_input"].includes(type)) {
      const kept = ctx.initial(blockId, element.action_id);
      const attrs = { class: "bk-text", "data-action-id": element.action_id, placeholder: plain(element.placeholder),
        "aria-label": plain(element.placeholder) || element.action_id };
      const input = element.multiline ? el("textarea", { ...attrs, rows: 3 }) : el("input", { ...attrs, type: "text" });
      input.value = kept !== undefined ? kept : element.initial_value || "";
      const emit = () => ctx.store(blockId, element.action_id, input.value, { value: input.value === "" ? null : input.value });
      input.addEventListener("input", emit);
      emit();
      return input;
    }
    if (type === "image") return image(element.image_url, element.alt_text, "bk-image-element");
    if (type === "external_select" || type === "multi_external_select") return externalSelect(element, blockId, ctx);
    return el("span", { class: "muted", text: "(" + type + ")" });
  }

  // An external select: what the person types is sent to the app (block_suggestion, through the sandbox) once it
  // is min_query_length long (Slack's default: 3), and the app's answer is offered. Its state keeps the chosen
  // option objects, as Slack reports them.
  function externalSelect(element, blockId, ctx) {
    const type = element.type;
    const multi = type.startsWith("multi_");
    if (!ctx.suggest) return el("span", { class: "muted", text: "(a search: only in modals here)" });
    const kept = ctx.initial(blockId, element.action_id);
    let chosen = kept !== undefined ? kept
      : multi ? element.initial_options || [] : element.initial_option ? [element.initial_option] : [];
    let offered = [...chosen];
    const search = el("input", { type: "search", class: "bk-external-search", "data-action-id": element.action_id,
      placeholder: plain(element.placeholder) || "Type to search", "aria-label": plain(element.placeholder) || element.action_id });
    const list = el("select", { class: "bk-select bk-external-options", multiple: multi, "aria-label": "Matches" });
    const note = el("span", { class: "muted small bk-external-note" });
    const fill = () => {
      const values = new Set(chosen.map((o) => o.value));
      const shown = [...chosen, ...offered.filter((o) => !values.has(o.value))];
      list.replaceChildren(...(multi ? [] : [el("option", { value: "", text: shown.length ? "Choose" : "No matches yet" })]),
        ...shown.map((o) => el("option", { value: o.value, text: plain(o.text), selected: values.has(o.value) })));
    };
    const report = () => multi ? { selected_options: chosen } : { selected_option: chosen[0] || null };
    const emit = (fire) => {
      ctx.store(blockId, element.action_id, chosen, report());
      if (fire) ctx.act({ type, action_id: element.action_id, block_id: blockId, ...report() });
    };
    const least = element.min_query_length === undefined ? 3 : element.min_query_length;
    let asked = 0;
    search.addEventListener("input", () => {
      const typed = search.value;
      const mine = ++asked;
      if (typed.length < least) { note.textContent = `Type at least ${least} character${least === 1 ? "" : "s"}`; return; }
      clearTimeout(search.timer);
      search.timer = setTimeout(async () => {
        const found = await ctx.suggest(blockId, element.action_id, typed);
        if (mine !== asked) return;  // the person typed on: a later answer is coming
        offered = found;
        note.textContent = found.length ? "" : "No matches";
        fill();
      }, 150);
    });
    list.addEventListener("change", () => {
      const byValue = new Map([...chosen, ...offered].map((o) => [o.value, o]));
      chosen = [...list.selectedOptions].map((o) => byValue.get(o.value)).filter(Boolean);
      emit(true);
    });
    fill();
    emit(false);
    return el("div", { class: "bk-external", "data-action-id": element.action_id }, search, list, note);
  }

  // -- blocks ------------------------------------------------------------------------------------------------
  function block(b, ctx) {
    const id = b.block_id || "";
    if (b.type === "header") return el("div", { class: "bk-header", "data-block-id": id }, textObject(b.text, ctx));
    if (b.type === "divider") return el("hr", { class: "bk-divider" });
    if (b.type === "context") {
      return el("div", { class: "bk-context", "data-block-id": id },
        (b.elements || []).map((e) => e.type === "image" ? image(e.image_url, e.alt_text, "bk-context-image") : textObject(e, ctx)));
    }
    if (b.type === "section") {
      return el("div", { class: "bk-section", "data-block-id": id },
        el("div", { class: "bk-section-body" },
          b.text ? el("div", { class: "bk-section-text" }, textObject(b.text, ctx)) : null,
          b.fields ? el("div", { class: "bk-fields" }, b.fields.map((f) => el("div", { class: "bk-field" }, textObject(f, ctx)))) : null),
        b.accessory ? el("div", { class: "bk-accessory" }, element(b.accessory, id, ctx)) : null);
    }
    if (b.type === "actions") {
      return el("div", { class: "bk-actions", "data-block-id": id }, (b.elements || []).map((e) => element(e, id, ctx)));
    }
    if (b.type === "input") {
      const error = ctx.errors && ctx.errors[id];
      const inner = element(b.element, id, { ...ctx, act: b.dispatch_action ? ctx.act : () => {} });
      return el("div", { class: "bk-input" + (error ? " has-error" : ""), "data-block-id": id },
        el("label", { class: "bk-label" }, plain(b.label), b.optional ? el("span", { class: "muted", text: " (optional)" }) : null),
        inner,
        error ? el("div", { class: "input-error", text: error }) : null,
        b.hint ? el("div", { class: "bk-hint" }, textObject(b.hint, ctx)) : null);
    }
    if (b.type === "image") {
      return el("figure", { class: "bk-image", "data-block-id": id },
        b.title ? el("figcaption", {}, textObject(b.title, ctx)) : null, image(b.image_url, b.alt_text, "bk-image-full"));
    }
    if (b.type === "rich_text") return null;  // the message's text carries it
    return el("div", { class: "muted", text: "(" + b.type + " block)" });
  }

  function render(blocks, ctx) {
    return el("div", { class: "blocks" }, (blocks || []).map((b) => block(b, ctx)));
  }

  return { el, render, mrkdwn, plain, decode, files };
})();
