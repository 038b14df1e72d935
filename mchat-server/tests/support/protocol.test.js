// The web client's protocol.js under node: private room names against the
// vectors the Rust client is checked with (both the browser's digest and
// the fallback SHA-1), and the long-message split's rules (PROTOCOL.md §5).
"use strict";
const assert = require("node:assert/strict");
const path = require("node:path");
const fs = require("node:fs");

const web = path.join(__dirname, "..", "..", "web");
const { MAX_LINE, sha1, hex, splitChat, privateRoomName } = require(path.join(web, "protocol.js"));
const vectors = JSON.parse(fs.readFileSync(
  path.join(__dirname, "..", "..", "..", "mchat-core", "tests", "vectors", "private_rooms.json"), "utf8"));

(async () => {
  assert.ok(vectors.private_rooms.length >= 5);
  for (const { room, password, wire } of vectors.private_rooms) {
    const bytes = new TextEncoder().encode(room + password);
    assert.equal(hex(sha1(bytes)), wire, `fallback SHA-1 of ${room} ${password}`);
    assert.equal(await privateRoomName(room, password), wire, `digest of ${room} ${password}`);
  }
  // SHA-1 across block boundaries (55, 56, 64 bytes and more).
  const crypto = require("node:crypto");
  for (const n of [0, 1, 55, 56, 63, 64, 65, 200]) {
    const bytes = new Uint8Array(n).map((_, i) => (i * 7) & 255);
    assert.equal(hex(sha1(bytes)), crypto.createHash("sha1").update(bytes).digest("hex"), `${n} bytes`);
  }

  const chars = (s) => Array.from(s).length;
  const cases = [
    ["alice", "lobby", "short"],
    ["alice", "lobby", "x".repeat(3000)],
    ["bob", "a9e52f505286f4bfd736a98595a5c8b87fc4b532", "ö".repeat(2500)],
    ["carol", "lobby", "😀".repeat(1500)],
    ["dave", "lobby", "x".repeat(1005) + "\r\r" + "y".repeat(100)],
  ];
  for (const [nick, wire, text] of cases) {
    const pieces = splitChat(nick, wire, text);
    assert.equal(pieces.join(""), text, "nothing lost or added");
    for (const [i, piece] of pieces.entries()) {
      const line = `MSG ${nick} ${wire} ${piece}`;
      assert.ok(chars(line) <= MAX_LINE, `piece ${i} is ${chars(line)} characters`);
      if (i + 1 < pieces.length) assert.ok(!piece.endsWith("\r"), "no piece ends in a carriage return");
    }
    // As full as the limit allows: every piece but the last fills its line
    // (less only where a carriage return had to stay with the next piece).
    for (const piece of pieces.slice(0, -1)) {
      const room_left = MAX_LINE - chars(`MSG ${nick} ${wire} `);
      assert.ok(chars(piece) === room_left || text.includes("\r"), "full pieces");
    }
  }
  // What the terminal client refuses, the page refuses.
  assert.equal(splitChat("a", "r", "ends in\r"), null);
  assert.equal(splitChat("a", "r", "two\nlines"), null);
  assert.equal(splitChat("a", "r", "\r".repeat(1100) + "end"), null);
  assert.deepEqual(splitChat("a", "r", ""), [""]);
  console.log("protocol.js: all checks passed");
})().catch((e) => { console.error(e); process.exit(1); });
