// The mChat web client: one WebSocket to this server's /ws, one protocol
// line per text message (PROTOCOL.md §3, §5). Everything received is put
// on the page as text, never as HTML.
"use strict";

const HEART_EVERY_MS = 2000;   // PROTOCOL.md §5: HEART every 2 s
const LOST_AFTER_MS = 5000;    // no BLEED for 5 s: the server is lost
const FIRST_RETRY_MS = 1000;   // reconnect after 1 s, doubling to 30 s
const MAX_RETRY_MS = 30000;
const MAX_LINE = 1024;         // characters in a line, newline excluded

const $ = (id) => document.getElementById(id);
const state = {
  nick: localStorage.getItem("mchat-nick") || "mChatter",
  ws: null,
  up: false,
  lastBleed: 0,
  retry: FIRST_RETRY_MS,
  // name -> { wire, private, lines: [], unread }
  rooms: new Map(),
  current: null,
  log: [], // lines shown with no room
};

// SHA-1 of the UTF-8 bytes of name followed by password, lowercase hex:
// the private room's name on the wire, as the terminal client makes it.
async function privateRoomName(name, password) {
  const bytes = new TextEncoder().encode(name + password);
  if (window.crypto && crypto.subtle) {
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
// characters, no piece ending in a carriage return.
function splitChat(nick, wire, text) {
  const room = Array.from(wire).length;
  const room_for_text = MAX_LINE - ("MSG ".length + Array.from(nick).length + 1 + room + 1);
  const chars = Array.from(text);
  const pieces = [];
  let at = 0;
  do {
    let end = Math.min(at + Math.max(room_for_text, 1), chars.length);
    while (end < chars.length && end - at > 1 && chars[end - 1] === "\r") end--;
    pieces.push(chars.slice(at, end).join(""));
    at = end;
  } while (at < chars.length);
  return pieces;
}

function send(line) {
  if (state.ws && state.ws.readyState === WebSocket.OPEN) state.ws.send(line);
}

function roomOfWire(wire) {
  for (const [name, room] of state.rooms) if (room.wire === wire) return name;
  return null;
}

// Puts one line on the page: parts are [class, text] pairs, set as text.
function show(roomName, parts) {
  const line = { parts };
  if (roomName === null) {
    state.log.push(line);
  } else {
    const room = state.rooms.get(roomName);
    if (!room) return;
    room.lines.push(line);
    if (roomName !== state.current) room.unread++;
  }
  render();
}

function label(name) {
  const room = state.rooms.get(name);
  return room && room.private ? name + "*" : name;
}

function render() {
  const tabs = $("tabs");
  tabs.replaceChildren();
  for (const [name, room] of state.rooms) {
    const tab = document.createElement("button");
    tab.type = "button";
    tab.textContent = label(name);
    tab.className = name === state.current ? "current" : "";
    tab.dataset.room = name;
    if (room.unread > 0) {
      const badge = document.createElement("span");
      badge.className = "unread";
      badge.textContent = String(room.unread);
      tab.append(badge);
    }
    tab.onclick = () => { state.current = name; room.unread = 0; render(); };
    tabs.append(tab);
  }
  const log = $("log");
  const lines = state.current === null ? state.log : state.rooms.get(state.current).lines;
  log.replaceChildren(...lines.map(({ parts }) => {
    const p = document.createElement("p");
    for (const [cls, text] of parts) {
      const span = document.createElement("span");
      span.className = cls;
      span.textContent = text;
      p.append(span);
    }
    return p;
  }));
  log.scrollTop = log.scrollHeight;
  const status = $("status");
  status.textContent = state.up ? `connected as ${state.nick}` : "connection lost — reconnecting";
  status.className = state.up ? "status" : "status lost";
}

function handleLine(line) {
  const [type] = line.split(" ", 1);
  if (type === "HEART") return send("BLEED");
  if (type === "BLEED") { state.lastBleed = Date.now(); return; }
  if (type === "MSG") {
    const [, nick, wire] = line.split(" ", 3);
    const text = line.slice(type.length + nick.length + wire.length + 3);
    const room = roomOfWire(wire);
    if (room !== null) show(room, [["nick", nick], ["", ": " + text]]);
    return;
  }
  if (type === "SYSTEM") {
    const [, wire] = line.split(" ", 2);
    const room = roomOfWire(wire);
    if (room !== null) show(room, [["notice", line.slice(type.length + wire.length + 2)]]);
    return;
  }
  if (type === "MEMBERS" || type === "MEMBERS_END") return;
  if (type === "ERROR") return show(state.current, [["error", "error: " + line.slice(6)]]);
  show(state.current, [["notice", "unidentified message: " + line]]);
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const ws = new WebSocket(`${scheme}//${location.host}/ws`);
  state.ws = ws;
  ws.onopen = () => {
    state.up = true;
    state.retry = FIRST_RETRY_MS;
    state.lastBleed = Date.now();
    send("NICK " + state.nick);
    for (const room of state.rooms.values()) send("JOIN " + room.wire);
    render();
  };
  ws.onmessage = (event) => { if (typeof event.data === "string") handleLine(event.data); };
  ws.onclose = () => {
    if (state.ws !== ws) return;
    state.ws = null;
    state.up = false;
    render();
    setTimeout(connect, state.retry * (1 + Math.random() / 2));
    state.retry = Math.min(state.retry * 2, MAX_RETRY_MS);
  };
}

setInterval(() => {
  if (!state.up) return;
  if (Date.now() - state.lastBleed > LOST_AFTER_MS && state.ws) {
    state.ws.close(); // onclose shows the loss and reconnects
    return;
  }
  send("HEART");
}, HEART_EVERY_MS);

$("nick").value = state.nick;
$("login").onsubmit = (event) => {
  event.preventDefault();
  const nick = $("nick").value.trim();
  if (!nick || /\s/.test(nick)) return;
  state.nick = nick;
  localStorage.setItem("mchat-nick", nick);
  send("NICK " + nick);
  render();
};
$("join").onsubmit = async (event) => {
  event.preventDefault();
  const name = $("room").value.trim();
  const password = $("password").value;
  if (!name || /\s/.test(name) || state.rooms.has(name)) return;
  const wire = password ? await privateRoomName(name, password) : name;
  state.rooms.set(name, { wire, private: Boolean(password), lines: [], unread: 0 });
  state.current = name;
  $("room").value = "";
  $("password").value = "";
  send("JOIN " + wire);
  render();
};
$("say").onsubmit = (event) => {
  event.preventDefault();
  const text = $("text").value;
  const room = state.rooms.get(state.current);
  if (!room || !text.trim()) return;
  for (const piece of splitChat(state.nick, room.wire, text)) {
    send(`MSG ${state.nick} ${room.wire} ${piece}`);
    show(state.current, [["nick", state.nick], ["", ": " + piece]]);
  }
  $("text").value = "";
};
$("part").onclick = () => {
  const room = state.rooms.get(state.current);
  if (!room) return;
  send("PART " + room.wire);
  state.rooms.delete(state.current);
  state.current = state.rooms.size ? state.rooms.keys().next().value : null;
  render();
};

render();
connect();
