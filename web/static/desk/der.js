// The offices' desk: reading a key file's bytes (PEM, DER, PKCS #8), in this page only.
//
// A small DER reader of our own (ITU-T X.690), enough for the two forms `assembly keys new`
// writes (ledger/keys.py): PrivateKeyInfo (RFC 5958) holding an Ed25519 key (RFC 8410), and,
// with --encrypt, EncryptedPrivateKeyInfo under PBES2 (RFC 8018): PBKDF2 with an HMAC-SHA
// PRF and AES-CBC, which is what the `cryptography` package writes and WebCrypto can decrypt.
"use strict";

(function (desk) {
  const OIDS = {
    "2a864886f70d01050d": "pbes2",
    "2a864886f70d01050c": "pbkdf2",
    "2b06010401da47040b": "scrypt",
    "2a864886f70d0207": "SHA-1",
    "2a864886f70d0209": "SHA-256",
    "2a864886f70d020a": "SHA-384",
    "2a864886f70d020b": "SHA-512",
    "608648016503040102": "aes-128-cbc",
    "608648016503040116": "aes-192-cbc",
    "60864801650304012a": "aes-256-cbc",
    "2b6570": "ed25519",
  };
  const AES_BITS = { "aes-128-cbc": 128, "aes-192-cbc": 192, "aes-256-cbc": 256 };

  class KeyFileError extends Error {
    constructor(reason) {
      super(reason);
      this.reason = reason; // not-a-key, passphrase-needed, wrong-passphrase, unsupported
    }
  }

  function fromBase64(text) {
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
    return bytes;
  }

  function toBase64(bytes) {
    let binary = "";
    for (const byte of bytes) binary += String.fromCharCode(byte);
    return btoa(binary);
  }

  function hex(bytes) {
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // The label and DER bytes of the one PEM block of a key file.
  function pem(text) {
    const found = /-----BEGIN ([A-Z ]+)-----([\s\S]*?)-----END \1-----/.exec(text);
    if (!found) throw new KeyFileError("not-a-key");
    try {
      return { label: found[1], der: fromBase64(found[2].replace(/\s+/g, "")) };
    } catch (e) {
      throw new KeyFileError("not-a-key");
    }
  }

  // One DER element at `offset`: its tag, its content, and where the next one starts.
  function element(bytes, offset) {
    if (offset + 2 > bytes.length) throw new KeyFileError("not-a-key");
    const tag = bytes[offset];
    let length = bytes[offset + 1];
    let start = offset + 2;
    if (length & 0x80) {
      const count = length & 0x7f;
      if (count < 1 || count > 3 || start + count > bytes.length) throw new KeyFileError("not-a-key");
      length = 0;
      for (let i = 0; i < count; i += 1) length = length * 256 + bytes[start + i];
      start += count;
    }
    if (start + length > bytes.length) throw new KeyFileError("not-a-key");
    return { tag, content: bytes.subarray(start, start + length), end: start + length };
  }

  // The elements a constructed element holds, each checked to be of the tag expected.
  function children(content, ...tags) {
    const found = [];
    let offset = 0;
    while (offset < content.length) {
      const each = element(content, offset);
      found.push(each);
      offset = each.end;
    }
    tags.forEach((tag, i) => {
      if (tag !== null && (found[i] === undefined || found[i].tag !== tag)) {
        throw new KeyFileError("not-a-key");
      }
    });
    return found;
  }

  function whole(bytes) {
    const top = element(bytes, 0);
    if (top.tag !== 0x30 || top.end !== bytes.length) throw new KeyFileError("not-a-key");
    return top;
  }

  function integer(content) {
    let value = 0;
    for (const byte of content) value = value * 256 + byte;
    return value;
  }

  // Check that `der` is a PrivateKeyInfo of an Ed25519 key (RFC 8410 section 7).
  function checkEd25519(der) {
    const [, algorithm, key] = children(whole(der).content, 0x02, 0x30, 0x04);
    const [oid] = children(algorithm.content, 0x06);
    if (OIDS[hex(oid.content)] !== "ed25519" || key.content.length !== 34) {
      throw new KeyFileError("not-a-key");
    }
  }

  // The PBES2 parameters and the encrypted bytes of an EncryptedPrivateKeyInfo.
  function pbes2(der) {
    const [algorithm, data] = children(whole(der).content, 0x30, 0x04);
    const [scheme, params] = children(algorithm.content, 0x06, 0x30);
    if (OIDS[hex(scheme.content)] !== "pbes2") throw new KeyFileError("not-a-key");
    const [kdf, cipher] = children(params.content, 0x30, 0x30);
    const [kdfOid, kdfParams] = children(kdf.content, 0x06, 0x30);
    if (OIDS[hex(kdfOid.content)] !== "pbkdf2") throw new KeyFileError("unsupported");
    const parts = children(kdfParams.content, 0x04, 0x02);
    let hash = "SHA-1"; // the PRF when none is named (RFC 8018 A.2)
    const prf = parts.find((part, i) => i >= 2 && part.tag === 0x30);
    if (prf) hash = OIDS[hex(children(prf.content, 0x06)[0].content)];
    const [cipherOid, iv] = children(cipher.content, 0x06, 0x04);
    const bits = AES_BITS[OIDS[hex(cipherOid.content)]];
    if (!bits || !["SHA-1", "SHA-256", "SHA-384", "SHA-512"].includes(hash)) {
      throw new KeyFileError("unsupported");
    }
    return {
      salt: parts[0].content,
      iterations: integer(parts[1].content),
      hash,
      bits,
      iv: iv.content,
      data: data.content,
    };
  }

  desk.der = { KeyFileError, fromBase64, toBase64, hex, pem, pbes2, checkEd25519 };
})((globalThis.assemblyDesk = globalThis.assemblyDesk || {}));
