// The offices' desk: opening the office's key in this page, and signing with it.
//
// The key file is read by the page (never sent); an encrypted one is decrypted here with the
// passphrase (PBKDF2, then AES-CBC, through WebCrypto). The private key is imported as a
// non-extractable CryptoKey held in a variable of the page: no storage, no cookie, gone when
// the tab closes. Its public half (to name the key to the server) is read once through a
// JWK export of a first, extractable import that is dropped at once.
"use strict";

(function (desk) {
  const { KeyFileError, pem, pbes2, checkEd25519, toBase64, hex } = desk.der;
  // The signing context of an event body bound to its ledger (ledger/canonical.py).
  const SIGNING_CONTEXT = new TextEncoder().encode("assembly-ledger/event/v2\n");

  async function decrypt(der, passphrase) {
    const params = pbes2(der);
    const secret = await crypto.subtle.importKey(
      "raw", new TextEncoder().encode(passphrase), "PBKDF2", false, ["deriveKey"]);
    let aes;
    try {
      aes = await crypto.subtle.deriveKey(
        { name: "PBKDF2", salt: params.salt, iterations: params.iterations, hash: params.hash },
        secret, { name: "AES-CBC", length: params.bits }, false, ["decrypt"]);
    } catch (e) {
      throw new KeyFileError("unsupported"); // AES-192, which Chromium does not do
    }
    try {
      return new Uint8Array(
        await crypto.subtle.decrypt({ name: "AES-CBC", iv: params.iv }, aes, params.data));
    } catch (e) {
      throw new KeyFileError("wrong-passphrase"); // the padding does not check out
    }
  }

  // The private key of a key file's text, its raw public key and its key id; whatever is
  // wrong with the file is a KeyFileError, whose reason the page says in a sentence.
  async function openKey(text, passphrase) {
    try {
      return await readKey(text, passphrase);
    } catch (e) {
      throw e instanceof KeyFileError ? e : new KeyFileError("not-a-key");
    }
  }

  async function readKey(text, passphrase) {
    const block = pem(text);
    let der = block.der;
    const encrypted = block.label === "ENCRYPTED PRIVATE KEY";
    if (encrypted) {
      if (!passphrase) throw new KeyFileError("passphrase-needed");
      der = await decrypt(der, passphrase);
    } else if (block.label !== "PRIVATE KEY") {
      throw new KeyFileError("not-a-key");
    }
    try {
      checkEd25519(der);
    } catch (e) {
      throw new KeyFileError(encrypted ? "wrong-passphrase" : "not-a-key");
    }
    let publicKey;
    try {
      const once = await crypto.subtle.importKey("pkcs8", der, { name: "Ed25519" }, true, ["sign"]);
      const jwk = await crypto.subtle.exportKey("jwk", once);
      publicKey = desk.der.fromBase64(jwk.x.replace(/-/g, "+").replace(/_/g, "/") + "=");
      jwk.d = ""; // the exported private half is dropped with the first import
    } catch (e) {
      if (e instanceof KeyFileError) throw e;
      if (e && e.name === "NotSupportedError") throw new KeyFileError("no-ed25519");
      throw new KeyFileError(encrypted ? "wrong-passphrase" : "not-a-key");
    }
    const privateKey = await crypto.subtle.importKey(
      "pkcs8", der, { name: "Ed25519" }, false, ["sign"]);
    der.fill(0);
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", publicKey));
    return { privateKey, publicKey: toBase64(publicKey), keyId: hex(digest.subarray(0, 16)) };
  }

  // The signature of an event body, under the signing context (ledger/keys.py Signer.sign).
  async function sign(privateKey, body) {
    const message = new Uint8Array(SIGNING_CONTEXT.length + body.length);
    message.set(SIGNING_CONTEXT, 0);
    message.set(body, SIGNING_CONTEXT.length);
    return new Uint8Array(await crypto.subtle.sign("Ed25519", privateKey, message));
  }

  desk.key = { openKey, sign };
})(globalThis.assemblyDesk);
