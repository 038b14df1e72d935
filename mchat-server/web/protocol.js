// What the web client computes by the protocol's rules, apart from the
// page: private room names and the long-message split (PROTOCOL.md §5).
// Loaded by the page before app.js; node's tests load it too
// (protocol.test.js), against the vectors the Rust client is checked with.
"use strict";

const MAX_LINE = 1024; // characters in a line, newline excluded

// SHA-1 of the UTF-8 bytes of name followed by password, lowercase hex:
// the private room's name on the wire, as the terminal client makes it.
async function privateRoomName(name, password) {
  const bytes = new TextEncoder().encode(name + password);
  if (typeof crypto !== "undefined" && crypto.subtle) {
    const digest = await crypto.subtle.digest("SHA-1", bytes);
    return hex(new Uint8Array(digest));
  }
  return hex(sha1(bytes)); // crypto.subtle is only for https and localhost
}

function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// SHA-1 (FIPS 180-4), for pages served over plain http on a LAN address.
function sha1(msg) {
  const len = msg.length;
  const words = new Uint32Array((((len + 8) >> 6) + 1) * 16);
  for (let i = 0; i < len; i++) words[i >> 2] |= msg[i] << (24 - (i % 4) * 8);
  words[len >> 2] |= 0x80 << (24 - (len % 4) * 8);
  words[words.length - 1] = len * 8;
  let [a, b, c, d, e] = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0];
  const w = new Uint32Array(80);
  const rol = (x, n) => (x << n) | (x >>> (32 - n));
  for (let i = 0; i < words.length; i += 16) {
    for (let t = 0; t < 80; t++) {
      w[t] = t < 16 ? words[i + t] : rol(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
    }
    let [aa, bb, cc, dd, ee] = [a, b, c, d, e];
    for (let t = 0; t < 80; t++) {
      const f = t < 20 ? (bb & cc) | (~bb & dd) : t < 40 ? bb ^ cc ^ dd : t < 60 ? (bb & cc) | (bb & dd) | (cc & dd) : bb ^ cc ^ dd;
      const k = t < 20 ? 0x5a827999 : t < 40 ? 0x6ed9eba1 : t < 60 ? 0x8f1bbcdc : 0xca62c1d6;
      const tmp = (rol(aa, 5) + f + ee + k + w[t]) >>> 0;
      [ee, dd, cc, bb, aa] = [dd, cc, rol(bb, 30) >>> 0, aa, tmp];
    }
    [a, b, c, d, e] = [(a + aa) >>> 0, (b + bb) >>> 0, (c + cc) >>> 0, (d + dd) >>> 0, (e + ee) >>> 0];
  }
  const out = new Uint8Array(20);
  [a, b, c, d, e].forEach((v, i) => { for (let j = 0; j < 4; j++) out[i * 4 + j] = (v >>> (24 - j * 8)) & 255; });
  return out;
}

// The pieces of a long message (PROTOCOL.md §5): each MSG line within
// MAX_LINE characters, the wire room name counted, split between
// characters, each as full as it may be; carriage returns at a cut start
// the next piece. null for text that cannot be sent: ending in a carriage
// return, holding a newline, or a piece of nothing but carriage returns
// (as the terminal client refuses it).
function splitChat(nick, wire, text) {
  if (text.includes("\n") || text.endsWith("\r")) return null;
  const budget = MAX_LINE - ("MSG ".length + Array.from(nick).length + 1 + Array.from(wire).length + 1);
  const chars = Array.from(text);
  const pieces = [];
  let at = 0;
  do {
    let end = Math.min(at + budget, chars.length);
    if (end < chars.length) {
      while (end > at && chars[end - 1] === "\r") end--;
      if (end === at) return null;
    }
    pieces.push(chars.slice(at, end).join(""));
    at = end;
  } while (at < chars.length);
  return pieces;
}

if (typeof module !== "undefined") module.exports = { MAX_LINE, sha1, hex, splitChat, privateRoomName };
