// The dead-letter console. Everything it shows comes from a queue anyone with write access can
// fill, so it only ever sets textContent (never innerHTML) and builds elements one by one.
// The function key lives in sessionStorage: this tab only, gone when the tab closes.
"use strict";

(() => {
  const keyName = "dead-letter-console.key";
  const api = "/api/dead-letters";
  const $ = (id) => document.getElementById(id);
  let continuation = null;
  let openId = null;

  function element(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function say(text) { $("status").textContent = text; }

  // What the last replay or discard did; it stays while the list reloads.
  function done(text) { $("result").textContent = text; }

  async function call(method, path, body) {
    const headers = { "Accept": "application/json" };
    const key = sessionStorage.getItem(keyName);
    if (key) headers["x-functions-key"] = key;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: "no-store" });
    const text = await response.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { json = null; }
    if (!response.ok) {
      const detail = json && typeof json.message === "string" ? json.message : text.slice(0, 200);
      throw new Error(response.status + " " + (response.status === 401 ? "(is the function key right?) " : "") + detail);
    }
    return json;
  }

  function showCounts(page) {
    const body = $("counts").tBodies[0];
    body.replaceChildren();
    const reasons = Object.keys(page.counts).sort();
    for (const reason of reasons) {
      const row = element("tr");
      row.append(element("td", reason), element("td", page.counts[reason]));
      body.append(row);
    }
    $("progress").textContent = page.complete
      ? "Counted all " + page.read + " messages."
      : "Counted the " + page.read + " read so far, of about " + page.approximate_total + ".";
    const select = $("reason");
    const known = new Set(Array.from(select.options).map((o) => o.value));
    for (const reason of reasons) {
      if (!known.has(reason) && reason !== "unrecognized") select.append(element("option", reason));
    }
  }

  function showPage(page) {
    const body = $("list").tBodies[0];
    body.replaceChildren();
    for (const message of page.messages) {
      const row = element("tr");
      row.dataset.id = message.id;
      const box = element("input");
      box.type = "checkbox";
      box.className = "pick";
      box.value = message.id;
      box.disabled = message.refusal !== undefined && message.refusal !== null;
      box.setAttribute("aria-label", "Select " + message.id);
      box.addEventListener("click", (event) => { event.stopPropagation(); updateButtons(); });
      const pick = element("td");
      pick.append(box);
      const size = message.body_in_blob ? "in blob" : (message.body_size === undefined ? "" : message.body_size + " B");
      row.append(pick, element("td", message.id), element("td", message.reason ?? "(unrecognized)"), element("td", message.action ?? ""),
        element("td", message.failed_at ?? ""), element("td", message.dequeue_count ?? ""), element("td", size),
        message.refusal ? element("td", "no: " + message.refusal, "refused") : element("td", "yes"));
      row.addEventListener("click", () => open(message.id));
      body.append(row);
    }
    continuation = page.continuation ?? null;
    $("next").disabled = continuation === null;
    showCounts(page);
    say(body.rows.length + " message(s) shown" + (continuation ? "; more on the next page." : "."));
    updateButtons();
  }

  function selected() {
    return Array.from(document.querySelectorAll("#list input.pick:checked")).map((box) => box.value);
  }

  function updateButtons() {
    $("replay-selected").disabled = selected().length === 0;
    $("replay-reason").disabled = $("reason").value === "";
  }

  async function load(next) {
    const query = new URLSearchParams();
    if ($("reason").value) query.set("reason", $("reason").value);
    if (next && continuation) query.set("continuation", continuation);
    say("Loading...");
    try {
      showPage(await call("GET", api + (query.size ? "?" + query : "")));
    } catch (error) {
      say("Could not load the list: " + error.message);
    }
  }

  async function open(id) {
    openId = id;
    for (const row of $("list").tBodies[0].rows) row.classList.toggle("open", row.dataset.id === id);
    const fields = $("fields");
    fields.replaceChildren();
    $("body").textContent = "Loading...";
    $("detail").hidden = false;
    try {
      const detail = await call("GET", api + "/" + encodeURIComponent(id));
      const m = detail.message;
      const rows = [["Id", m.id], ["Reason", m.reason ?? "(unrecognized)"], ["Description", m.description], ["Message id", m.message_id],
        ["Action", m.action], ["Failed at", m.failed_at], ["Attempt", m.dequeue_count], ["Parked at", m.parked_at],
        ["Body", m.body_in_blob ? "in a blob" : "in the envelope"], ["Not replayable", detail.body_refusal ? detail.body_refusal + ": " + (detail.refusal_detail ?? "") : null]];
      for (const [name, value] of rows) {
        if (value === undefined || value === null) continue;
        fields.append(element("dt", name), element("dd", value));
      }
      $("body").textContent = detail.body ?? (detail.queue_text !== undefined ? "(not read; the message as the queue holds it:)\n" + detail.queue_text : "(not shown)");
    } catch (error) {
      $("body").textContent = "Could not load it: " + error.message;
    }
  }

  function report(what, result) {
    const parts = ["moved " + result.moved, "duplicates dropped " + result.duplicates_dropped, "failed " + result.failed, "remaining " + result.remaining];
    if (result.not_found && result.not_found.length) parts.push("not found " + result.not_found.length);
    done(what + ": " + parts.join(", ") + ".");
  }

  async function replaySelected() {
    const ids = selected();
    if (!ids.length || !window.confirm("Replay " + ids.length + " message(s) to the work queue?")) return;
    try {
      report("Replayed the selection", await call("POST", api + "/replay", { ids }));
      await load(false);
    } catch (error) {
      done("Replay failed: " + error.message);
    }
  }

  async function replayReason() {
    const reason = $("reason").value;
    if (!reason || !window.confirm("Replay every message with reason " + reason + "?")) return;
    try {
      report("Replayed " + reason, await call("POST", api + "/replay?reason=" + encodeURIComponent(reason)));
      await load(false);
    } catch (error) {
      done("Replay failed: " + error.message);
    }
  }

  async function discard() {
    if (!openId || !window.confirm("Discard message " + openId + " for good? Its body is deleted too.")) return;
    try {
      await call("DELETE", api + "/" + encodeURIComponent(openId));
      done("Discarded " + openId + ".");
      $("detail").hidden = true;
      openId = null;
      await load(false);
    } catch (error) {
      done("Discard failed: " + error.message);
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("key-state").textContent = sessionStorage.getItem(keyName) ? "key set" : "no key (fine locally)";
    $("key-form").addEventListener("submit", (event) => {
      event.preventDefault();
      sessionStorage.setItem(keyName, $("key").value);
      $("key").value = "";
      $("key-state").textContent = "key set";
      load(false);
    });
    $("reload").addEventListener("click", () => load(false));
    $("next").addEventListener("click", () => load(true));
    $("reason").addEventListener("change", () => load(false));
    $("select-all").addEventListener("change", (event) => {
      for (const box of document.querySelectorAll("#list input.pick:not(:disabled)")) box.checked = event.target.checked;
      updateButtons();
    });
    $("replay-selected").addEventListener("click", replaySelected);
    $("replay-reason").addEventListener("click", replayReason);
    $("discard").addEventListener("click", discard);
    load(false);
  });
})();
