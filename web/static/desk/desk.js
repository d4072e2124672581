// The offices' desk: the forms, the server's preparation, the signature and the receipt.
//
// A form is sent to /api/desk/prepare with the office's public key; the server answers with
// the exact bodies to sign and what they say, or one sentence beside the field concerned. The
// page shows them, checks that each names this key, signs them here and posts the submission
// to /api/submissions, then shows the entry written and, once a checkpoint covers it, its
// inclusion proof. The private key stays in `office`, a variable of this script.
"use strict";

(function (desk) {
  const { KeyFileError, fromBase64, toBase64 } = desk.der;
  const root = document.getElementById("desk");
  const lang = root.dataset.lang;
  let office = null; // { privateKey, publicKey, keyId }: never stored, never sent whole
  let prepared = null; // { form, events }

  function say(name, values) {
    let text = root.dataset["msg" + name.replace(/(^|-)([a-z])/g, (m, d, c) => c.toUpperCase())];
    for (const [key, value] of Object.entries(values || {})) {
      text = text.split("%(" + key + ")s").join(String(value));
    }
    return text;
  }

  function show(element, text) {
    element.textContent = text || "";
    element.hidden = !text;
  }

  function clearProblems(form) {
    form.querySelectorAll(".field-error, .desk-problem").forEach((e) => show(e, ""));
    form.querySelectorAll("[aria-invalid]").forEach((e) => e.removeAttribute("aria-invalid"));
  }

  // The server's refusal, beside its field, or for the form as a whole.
  function refuse(form, detail, field) {
    const step = form.dataset.step;
    if (field === "key") {
      show(document.getElementById("key-error"), detail);
    }
    const beside = field && document.getElementById(step + "-" + field + "-error");
    show(beside || document.getElementById(step + "-form-error"), detail);
    const input = field && document.getElementById(step + "-" + field);
    if (input) {
      input.setAttribute("aria-invalid", "true");
      input.focus();
    }
  }

  async function openKey() {
    const file = document.getElementById("key-file").files[0];
    const passphrase = document.getElementById("passphrase");
    const problem = document.getElementById("key-error");
    const status = document.getElementById("key-status");
    show(problem, "");
    office = null;
    status.textContent = "";
    if (!file) return show(problem, say("no-file"));
    const text = await file.text();
    try {
      office = await desk.key.openKey(text, passphrase.value);
    } catch (e) {
      const reason = e instanceof KeyFileError ? e.reason : "not-a-key";
      return show(problem, say(reason));
    } finally {
      passphrase.value = "";
    }
    status.textContent = say("key-opened", { id: office.keyId });
  }

  function fieldsOf(form) {
    const fields = {};
    for (const [name, value] of new FormData(form).entries()) fields[name] = String(value);
    return fields;
  }

  async function post(url, document_) {
    return fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(document_),
      credentials: "omit",
      cache: "no-store",
    });
  }

  // Whether a body the server prepared says what the form says: every value the form gave
  // that the payload carries under the same name is the same, and the recommendation is the
  // one chosen. The server is not trusted to summarise faithfully; this catches a body about
  // something else before it is signed.
  function saysWhatTheFormSays(fields, body) {
    const payload = body.payload || {};
    for (const [name, given] of Object.entries(fields)) {
      const value = given.trim();
      if (!value) continue;
      if (name === "recommendation" && /^[0-9]+\/[0-9]+$/.test(value)) {
        if (payload.panel + "/" + payload.number !== value) return false;
      } else if (name in payload && ["string", "number"].includes(typeof payload[name])) {
        // A day the form gives (a key's validity) is its first moment, midnight UTC.
        const day = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(value) && typeof payload[name] === "string";
        if (day && payload[name] === value + "T00:00:00.000000Z") continue;
        if (String(payload[name]) !== value) return false;
      }
    }
    return true;
  }
  desk.saysWhatTheFormSays = saysWhatTheFormSays;

  async function prepare(event) {
    event.preventDefault();
    const form = event.target;
    clearProblems(form);
    if (!office) return show(document.getElementById(form.dataset.step + "-form-error"), say("no-key"));
    const fields = fieldsOf(form);
    let reply;
    try {
      reply = await post("/api/desk/prepare", {
        step: form.dataset.step, fields, key: office.publicKey, lang });
    } catch (e) {
      return refuse(form, say("unreachable"), null);
    }
    const answer = await reply.json();
    if (!reply.ok) return refuse(form, answer.detail, answer.field);
    const events = answer.events.map((each) => ({ ...each, bytes: fromBase64(each.body) }));
    const decoder = new TextDecoder();
    for (const each of events) {
      const body = JSON.parse(decoder.decode(each.bytes));
      if (body.signer !== office.keyId || !saysWhatTheFormSays(fields, body)) {
        return refuse(form, say("changed"), null);
      }
      each.fields = body;
    }
    prepared = { form, events };
    showPrepared(events, decoder, []);
  }

  // A spreadsheet: the server checks every row as `assembly import --dry-run` does and
  // answers its bad rows, shown by row, or every event to sign, signed here all at once.
  async function checkSheet(event) {
    event.preventDefault();
    const form = event.target;
    clearProblems(form);
    prepared = null;
    document.getElementById("confirm").hidden = true;
    document.getElementById("bulk-problems").hidden = true;
    const problem = document.getElementById("bulk-form-error");
    if (!office) return show(problem, say("no-key"));
    const file = document.getElementById("bulk-file").files[0];
    if (!file) return show(problem, say("bulk-no-file"));
    const max = Number(root.dataset.bulkMax);
    if (file.size > max * 1024) return show(problem, say("bulk-too-large", { max }));
    const chosen = document.getElementById("bulk-kind").selectedOptions[0];
    const kind = chosen.value;
    const query = new URLSearchParams({ kind, key: office.publicKey, name: file.name, lang });
    let reply;
    try {
      reply = await fetch("/api/desk/bulk/prepare?" + query, {
        method: "POST",
        headers: { "content-type": "application/octet-stream" },
        body: file,
        credentials: "omit",
        cache: "no-store",
      });
    } catch (e) {
      return show(problem, say("unreachable"));
    }
    const answer = await reply.json();
    if (answer.problems && answer.problems.length) return showRows(answer.problems);
    if (!reply.ok) return refuse(form, answer.detail, answer.field);
    const events = answer.events.map((each) => ({ ...each, bytes: fromBase64(each.body) }));
    const decoder = new TextDecoder();
    for (const each of events) {
      each.fields = JSON.parse(decoder.decode(each.bytes));
      const kept = chosen.dataset.types.split(" ").includes(each.fields.type);
      if (each.fields.signer !== office.keyId || !kept) return refuse(form, say("changed"), null);
    }
    const said = [say("bulk-" + kind, { new: events.length, unchanged: answer.unchanged })];
    for (const [row, repeated] of answer.duplicates) said.push(say("bulk-duplicate", { row, repeated }));
    if (answer.note) said.push(say("bulk-note"));
    prepared = events.length ? { form, events } : null;
    showPrepared(events, decoder, said);
  }

  function showRows(problems) {
    const table = document.getElementById("bulk-problems");
    const rows = table.tBodies[0];
    rows.replaceChildren();
    for (const bad of problems) {
      const line = rows.insertRow();
      const where = bad.column ? bad.column + (bad.name ? " (" + bad.name + ")" : "") : "";
      for (const text of [String(bad.row), where, bad.reason]) line.insertCell().textContent = text;
    }
    const caption = say("bulk-bad", { count: problems.length });
    document.getElementById("bulk-problems-caption").textContent = caption;
    table.hidden = false;
    table.scrollIntoView();
  }

  function showPrepared(events, decoder, said) {
    const holder = document.getElementById("confirm-events");
    holder.replaceChildren();
    for (const text of said) {
      const line = document.createElement("p");
      line.className = "desk-bulk-summary";
      line.textContent = text;
      holder.append(line);
    }
    for (const each of events) {
      const headline = document.createElement("p");
      headline.className = "desk-headline";
      headline.textContent = each.summary.headline;
      const list = document.createElement("dl");
      for (const line of each.summary.lines) {
        const name = document.createElement("dt");
        name.textContent = line.name;
        const value = document.createElement("dd");
        value.textContent = line.value;
        list.append(name, value);
      }
      holder.append(headline, list);
    }
    document.getElementById("confirm-raw").textContent =
      events.map((each) => decoder.decode(each.bytes)).join("\n");
    show(document.getElementById("confirm-error"), "");
    const sign = document.getElementById("sign");
    sign.textContent = say(events.length > 1 ? "sign-all" : "sign-one");
    sign.hidden = !events.length;
    const confirm = document.getElementById("confirm");
    confirm.hidden = false;
    document.getElementById("receipt").hidden = true;
    document.getElementById("confirm-heading").scrollIntoView();
    if (events.length) sign.focus();
  }

  async function signAndSend() {
    const problem = document.getElementById("confirm-error");
    if (!prepared || !office) return show(problem, say("no-key"));
    const batches = [];
    for (const each of prepared.events) {
      const sig = await desk.key.sign(office.privateKey, each.bytes);
      let batch = batches.find((b) => b.stream === each.stream);
      if (!batch) {
        batch = { stream: each.stream, expected_version: each.expected_version, events: [] };
        batches.push(batch);
      }
      batch.events.push({ body: each.body, sig: toBase64(sig) });
    }
    let reply;
    try {
      reply = await post("/api/submissions", { batches });
    } catch (e) {
      return show(problem, say("unreachable"));
    }
    const answer = await reply.json();
    if (reply.status !== 201) return show(problem, answer.detail);
    const events = prepared.events;
    prepared = null;
    document.getElementById("confirm").hidden = true;
    await showReceipt(answer.written, events);
  }

  async function coveredSize() {
    try {
      const reply = await fetch("/api/checkpoint", { credentials: "omit", cache: "no-store" });
      return reply.ok ? Number((await reply.text()).split("\n")[1]) : 0;
    } catch (e) {
      return 0;
    }
  }

  function link(href, text, download) {
    const a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    if (download) a.download = download;
    const item = document.createElement("li");
    item.append(a);
    return item;
  }

  // The inclusion proof of entry `seq` once a checkpoint of `size` entries covers it; until
  // then, where it will be and a button to look again.
  function proofItem(seq, size) {
    const proof = "/api/proofs/" + seq;
    if (size > seq) return link(proof, say("proof"), "entry-" + seq + ".tlog-proof");
    const later = document.createElement("li");
    later.textContent = say("proof-later", { url: proof }) + " ";
    const again = document.createElement("button");
    again.type = "button";
    again.className = "desk-look-again";
    again.textContent = say("look-again");
    again.addEventListener("click", async () => later.replaceWith(proofItem(seq, await coveredSize())));
    later.append(again);
    return later;
  }

  async function showReceipt(written, events) {
    const holder = document.getElementById("receipt-entries");
    holder.replaceChildren();
    const size = await coveredSize();
    written.forEach((entry, i) => {
      const line = document.createElement("p");
      line.className = "desk-written";
      line.textContent = say("written", { seq: entry.seq });
      const hash = document.createElement("p");
      hash.className = "desk-hash";
      hash.textContent = say("hash", { hash: entry.hash });
      const links = document.createElement("ul");
      const payload = events[i].fields.payload;
      if (payload.panel && payload.number) {
        const ref = payload.panel + "/" + payload.number;
        links.append(link("/recommendations/" + ref + "?lang=" + lang, say("public-page", { ref })));
      }
      links.append(proofItem(entry.seq, size));
      holder.append(line, hash, links);
    });
    const receipt = document.getElementById("receipt");
    receipt.hidden = false;
    document.getElementById("receipt-heading").scrollIntoView();
  }

  function showDues(select) {
    const step = select.id.split("-")[0];
    const dues = document.getElementById(step + "-dues");
    const option = select.selectedOptions[0];
    if (!option || !option.value) return show(dues, "");
    const found = JSON.parse(option.dataset.dues || "[]");
    dues.textContent = found.length
      ? found.map((d) => say("due", { review: d.review, due: d.shown })).join(" ")
      : say("not-due");
    dues.hidden = false;
    const portfolio = document.getElementById(step + "-portfolio");
    if (portfolio && !portfolio.value) portfolio.value = option.dataset.portfolio || "";
  }

  function count(area) {
    const minimums = JSON.parse(area.dataset.minimums);
    const rule = document.getElementById(area.dataset.ruleBy);
    const needed = minimums[rule.value] || 0;
    const length = area.value.trim().length;
    const counter = document.getElementById(area.id + "-count");
    counter.textContent = needed
      ? say("count", { count: length, min: needed })
      : say("count-free", { count: length });
    counter.classList.toggle("desk-short", needed > 0 && length < needed);
  }

  function start() {
    if (!desk.key) return; // key.js did not run (its integrity failed): the desk stays off
    if (!(globalThis.crypto && crypto.subtle)) {
      root.hidden = false;
      return show(document.getElementById("key-error"), say("no-ed25519"));
    }
    document.getElementById("open-key").addEventListener("click", openKey);
    document.getElementById("open-key").disabled = false;
    document.querySelectorAll("form.desk-step").forEach((form) => {
      form.addEventListener("submit", prepare);
      form.querySelector("button[type=submit]").disabled = false;
    });
    document.querySelectorAll(".desk-recommendation").forEach((select) => {
      select.addEventListener("change", () => showDues(select));
    });
    document.querySelectorAll("textarea.desk-counted").forEach((area) => {
      const update = () => count(area);
      area.addEventListener("input", update);
      document.getElementById(area.dataset.ruleBy).addEventListener("change", update);
      update();
    });
    const bulk = document.getElementById("form-bulk");
    bulk.addEventListener("submit", checkSheet);
    bulk.querySelector("button[type=submit]").disabled = false;
    document.getElementById("sign").addEventListener("click", signAndSend);
    document.getElementById("cancel").addEventListener("click", () => {
      prepared = null;
      document.getElementById("confirm").hidden = true;
    });
    root.hidden = false;
    root.dataset.ready = "true";
  }

  start();
})(globalThis.assemblyDesk);
