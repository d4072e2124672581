// Every reader a monitor (issue 20.4; web/monitor.py says how the page carries this script).
//
// In the reader's browser, from what the server publishes for anyone:
// 1. the checkpoint (/api/tiles/checkpoint) is signed by the log's key (C2SP signed-note,
//    Ed25519 through WebCrypto), every cosignature by a witness the page names holds (C2SP
//    tlog-cosignature), and at least the page's quorum of those witnesses cosigned it;
// 2. the tiles (C2SP tlog-tiles) give the root it signs (RFC 9162 tree hash);
// 3. it extends the last checkpoint this browser saw (RFC 9162 consistency proof, computed
//    from the tiles), which localStorage keeps, and only that;
// 4. on a recommendation's page, each of its entries is in the tree (inclusion proof from the
//    tiles, the entry from its bundle).
// The status line says the outcome in the page's language; the page works without it.

const STORE = "assembly-ledger/last-checkpoint";
const TILE_HEIGHT = 8;
const TILE_WIDTH = 256;
const HASH = 32;
const ED25519 = 0x01;
const COSIGNATURE_V1 = 0x04;
const encoder = new TextEncoder();

class Failure extends Error {
  constructor(kind, values = {}) {
    super(kind);
    this.kind = kind;
    this.values = values;
  }
}

// --- bytes and hashes ---------------------------------------------------------------------------

const fromBase64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
const same = (a, b) => a.length === b.length && a.every((byte, i) => byte === b[i]);

function joined(...parts) {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

const sha256 = async (...parts) =>
  new Uint8Array(await crypto.subtle.digest("SHA-256", joined(...parts)));
const leafHash = (entry) => sha256(Uint8Array.of(0), entry);
const nodeHash = (left, right) => sha256(Uint8Array.of(1), left, right);

// --- signed notes and checkpoints (c2sp.org/signed-note, tlog-checkpoint) -----------------------

async function parseKey(text) {
  // name+hexid+base64: the base64 may hold "+" too, so only the first two split.
  const [, name, id, material] = text.trim().match(/^([^+]+)\+([0-9a-f]{8})\+(.+)$/) || [];
  if (!name) throw new Error("not a verifier key");
  const raw = fromBase64(material);
  const digest = await sha256(encoder.encode(name + "\n"), raw);
  if (digest.slice(0, 4).reduce((hex, b) => hex + b.toString(16).padStart(2, "0"), "") !== id) {
    throw new Error(`the key ${name} does not match its id`);
  }
  return { name, id: digest.slice(0, 4), type: raw[0], key: raw.slice(1) };
}

function parseNote(note) {
  const split = note.lastIndexOf("\n\n");
  const text = note.slice(0, split + 1);
  const signatures = note
    .slice(split + 2, -1)
    .split("\n")
    .map((line) => {
      const [, name, signature] = line.match(/^\u2014 (\S+) (\S+)$/) || [];
      return name ? { name, bytes: fromBase64(signature) } : null;
    })
    .filter(Boolean);
  const [origin, size, root] = text.split("\n");
  return { text, signatures, origin, size: Number(size), root: fromBase64(root) };
}

async function signs(key, message, signature) {
  const imported = await crypto.subtle.importKey("raw", key.key, { name: "Ed25519" }, false, [
    "verify",
  ]);
  return crypto.subtle.verify({ name: "Ed25519" }, imported, signature, message);
}

// True when a signature by ``key`` is on the note and holds; false when none is there; a
// signature by the key that does not hold throws.
async function signedBy(note, key) {
  const lines = note.signatures.filter(
    (line) => line.name === key.name && same(line.bytes.slice(0, 4), key.id),
  );
  for (const line of lines) {
    let message = encoder.encode(note.text);
    let signature = line.bytes.slice(4);
    if (key.type === COSIGNATURE_V1) {
      if (signature.length !== 8 + 64) throw new Failure("cosignature");
      const time = new DataView(signature.buffer, signature.byteOffset).getBigUint64(0);
      message = joined(encoder.encode(`cosignature/v1\ntime ${time}\n`), message);
      signature = signature.slice(8);
    }
    if (!(await signs(key, message, signature))) {
      throw new Failure(key.type === COSIGNATURE_V1 ? "cosignature" : "signature");
    }
  }
  return lines.length > 0;
}

// --- tiles (c2sp.org/tlog-tiles) -------------------------------------------------------------------

function indexPath(index) {
  const parts = [String(index % 1000).padStart(3, "0")];
  for (index = Math.floor(index / 1000); index > 0; index = Math.floor(index / 1000)) {
    parts.unshift("x" + String(index % 1000).padStart(3, "0"));
  }
  return parts.join("/");
}

function tileWidth(size, level, index) {
  const count = Math.floor(size / TILE_WIDTH ** level);
  const full = Math.floor(count / TILE_WIDTH);
  return index < full ? TILE_WIDTH : index === full ? count % TILE_WIDTH : 0;
}

const partial = (width) => (width === TILE_WIDTH ? "" : `.p/${width}`);

async function fetched(path) {
  const answer = await fetch(`/api/tiles/${path}`, { cache: "no-store" });
  if (!answer.ok) throw new Failure("unavailable");
  return new Uint8Array(await answer.arrayBuffer());
}

class Tiles {
  constructor(size) {
    this.size = size;
    this.tiles = new Map();
  }

  async tile(level, index) {
    const key = `${level}/${index}`;
    if (!this.tiles.has(key)) {
      const width = tileWidth(this.size, level, index);
      const data = await fetched(`tile/${level}/${indexPath(index)}${partial(width)}`);
      if (data.length !== width * HASH) throw new Failure("tile", { size: this.size });
      this.tiles.set(key, data);
    }
    return this.tiles.get(key);
  }

  // The node at tree level ``level`` and index ``index``, hashed up inside its tile.
  async node(level, index) {
    const height = level % TILE_HEIGHT;
    const first = index * 2 ** height;
    const data = await this.tile(Math.floor(level / TILE_HEIGHT), Math.floor(first / TILE_WIDTH));
    let hashes = [];
    for (let i = first % TILE_WIDTH; i < (first % TILE_WIDTH) + 2 ** height; i++) {
      hashes.push(data.slice(i * HASH, (i + 1) * HASH));
    }
    while (hashes.length > 1) {
      const up = [];
      for (let i = 0; i < hashes.length; i += 2) up.push(await nodeHash(hashes[i], hashes[i + 1]));
      hashes = up;
    }
    return hashes[0];
  }

  async entry(seq) {
    const index = Math.floor(seq / TILE_WIDTH);
    const data = await fetched(
      `tile/entries/${indexPath(index)}${partial(tileWidth(this.size, 0, index))}`,
    );
    let at = 0;
    for (let i = 0; i < seq % TILE_WIDTH; i++) at += 2 + ((data[at] << 8) | data[at + 1]);
    return data.slice(at + 2, at + 2 + ((data[at] << 8) | data[at + 1]));
  }
}

// --- RFC 9162 -------------------------------------------------------------------------------------

const largestPowerBelow = (n) => {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
};

// MTH(D[start:end]) of a subtree of the log's tree, from its complete pieces, largest first.
async function subtreeHash(start, end, nodes) {
  const pieces = [];
  let first = start;
  for (let level = Math.floor(Math.log2(end - start)); level >= 0; level--) {
    if (Math.floor((end - start) / 2 ** level) % 2) {
      pieces.push(await nodes.node(level, first / 2 ** level));
      first += 2 ** level;
    }
  }
  let hashed = pieces.pop();
  while (pieces.length) hashed = await nodeHash(pieces.pop(), hashed);
  return hashed;
}

async function inclusionProof(index, size, nodes) {
  const outerFirst = [];
  let [start, end] = [0, size];
  while (end - start > 1) {
    const split = start + largestPowerBelow(end - start);
    if (index < split) {
      outerFirst.push(await subtreeHash(split, end, nodes));
      end = split;
    } else {
      outerFirst.push(await subtreeHash(start, split, nodes));
      start = split;
    }
  }
  return outerFirst.reverse();
}

async function consistencyProof(oldSize, newSize, nodes) {
  const outerFirst = [];
  let [start, end, m, whole] = [0, newSize, oldSize, true];
  while (m !== end - start) {
    const k = largestPowerBelow(end - start);
    if (m <= k) {
      outerFirst.push(await subtreeHash(start + k, end, nodes));
      end = start + k;
    } else {
      outerFirst.push(await subtreeHash(start, start + k, nodes));
      [start, m, whole] = [start + k, m - k, false];
    }
  }
  if (!whole) outerFirst.push(await subtreeHash(start, end, nodes));
  return outerFirst.reverse();
}

const odd = (n) => n % 2 === 1;
const half = (n) => Math.floor(n / 2);

// RFC 9162 section 2.1.3.2.
async function verifyInclusion(leaf, index, size, proof, root) {
  let [fn, sn, r] = [index, size - 1, leaf];
  for (const p of proof) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      r = await nodeHash(p, r);
      while (!odd(fn) && fn !== 0) [fn, sn] = [half(fn), half(sn)];
    } else {
      r = await nodeHash(r, p);
    }
    [fn, sn] = [half(fn), half(sn)];
  }
  return sn === 0 && same(r, root);
}

// RFC 9162 section 2.1.4.2, for 0 < oldSize < newSize.
async function verifyConsistency(oldSize, newSize, oldRoot, newRoot, proof) {
  const path = [...proof];
  if (!path.length) return false;
  if ((oldSize & (oldSize - 1)) === 0) path.unshift(oldRoot);
  let [fn, sn] = [oldSize - 1, newSize - 1];
  while (odd(fn)) [fn, sn] = [half(fn), half(sn)];
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      [fr, sr] = [await nodeHash(c, fr), await nodeHash(c, sr)];
      while (!odd(fn) && fn !== 0) [fn, sn] = [half(fn), half(sn)];
    } else {
      sr = await nodeHash(sr, c);
    }
    [fn, sn] = [half(fn), half(sn)];
  }
  return same(fr, oldRoot) && same(sr, newRoot) && sn === 0;
}

// --- the checks -----------------------------------------------------------------------------------

async function logKeys(line) {
  let text = line.dataset.keys;
  if (!text) {
    const answer = await fetch("/monitor/keys", { cache: "no-store" });
    if (!answer.ok) throw new Failure("unavailable");
    text = await answer.text();
  }
  return Promise.all(text.split(/\s+/).filter(Boolean).map(parseKey));
}

async function extendsSeen(checkpoint, tiles) {
  const kept = localStorage.getItem(STORE);
  const seen = kept ? parseNote(kept) : null;
  if (!seen || seen.origin !== checkpoint.origin) return null;
  const values = { size: checkpoint.size, old: seen.size };
  if (seen.size > checkpoint.size) throw new Failure("rollback", values);
  if (seen.size === checkpoint.size) {
    if (!same(seen.root, checkpoint.root)) throw new Failure("fork", values);
    return seen.size;
  }
  if (seen.size === 0) return 0;
  const proof = await consistencyProof(seen.size, checkpoint.size, tiles);
  if (!(await verifyConsistency(seen.size, checkpoint.size, seen.root, checkpoint.root, proof))) {
    throw new Failure("fork", values);
  }
  return seen.size;
}

async function check(line) {
  const keys = await logKeys(line);
  const note = await (async () => {
    const answer = await fetch("/api/tiles/checkpoint", { cache: "no-store" });
    if (!answer.ok) throw new Failure("unavailable");
    return answer.text();
  })();
  const checkpoint = parseNote(note);
  const signers = keys.filter((key) => key.type === ED25519 && key.name === checkpoint.origin);
  let signed = false;
  for (const key of signers) signed = (await signedBy(checkpoint, key)) || signed;
  if (!signed) throw new Failure("signature");
  let cosigned = 0;
  for (const key of keys.filter((k) => k.type === COSIGNATURE_V1)) {
    if (await signedBy(checkpoint, key)) cosigned += 1;
  }
  const quorum = Number(line.dataset.quorum) || 0;
  if (cosigned < quorum) throw new Failure("witnesses", { count: cosigned, quorum });
  const size = checkpoint.size;
  const tiles = new Tiles(size);
  if (size > 0 && !same(await subtreeHash(0, size, tiles), checkpoint.root)) {
    throw new Failure("tile", { size });
  }
  const seqs = line.dataset.seqs.split(" ").filter(Boolean).map(Number);
  const covered = seqs.filter((seq) => seq < size);
  for (const seq of covered) {
    const leaf = await leafHash(await tiles.entry(seq));
    const proof = await inclusionProof(seq, size, tiles);
    if (!(await verifyInclusion(leaf, seq, size, proof, checkpoint.root))) {
      throw new Failure("entry", { seq });
    }
  }
  const old = await extendsSeen(checkpoint, tiles);
  localStorage.setItem(STORE, note);
  return { size, covered: covered.length, old, cosigned, entries: seqs.length > 0 };
}

const filled = (text, values) =>
  text.replace(/%\((\w+)\)s/g, (_, name) => String(values[name] ?? ""));

async function run() {
  const line = document.getElementById("monitor");
  if (!line || !window.crypto?.subtle) return;
  line.hidden = false;
  line.textContent = line.dataset.checking;
  try {
    const seen = await check(line);
    const parts = [filled(line.dataset.checked, { size: seen.size })];
    if (seen.entries) parts.push(filled(line.dataset.included, { count: seen.covered }));
    if (seen.old !== null) parts.push(filled(line.dataset.extends, { old: seen.old }));
    const { quorum, witnesses } = line.dataset;
    if (Number(quorum)) {
      parts.push(filled(line.dataset.cosigned, { count: seen.cosigned, witnesses, quorum }));
    }
    line.textContent = parts.join(" ");
    line.dataset.outcome = "checked";
  } catch (error) {
    const kind = error instanceof Failure ? error.kind : "unavailable";
    const key = "failed" + kind[0].toUpperCase() + kind.slice(1);
    line.textContent = filled(line.dataset[key] ?? line.dataset.unavailable, error.values ?? {});
    line.dataset.outcome = kind;
  }
}

run();
