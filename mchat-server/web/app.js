// The mChat web client: one WebSocket to this server's /ws, one protocol
// line per text message (PROTOCOL.md §3, §5). Everything received is put
// on the page as text, never as HTML. The protocol's arithmetic (private
// room names, long-message splitting) is in protocol.js.
"use strict";

const HEART_EVERY_MS = 2000;   // PROTOCOL.md §5: HEART every 2 s
const LOST_AFTER_MS = 5000;    // no BLEED for 5 s: the server is lost
const FIRST_RETRY_MS = 1000;   // reconnect after 1 s, doubling to 30 s
const MAX_RETRY_MS = 30000;

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
  ws.onclose = () => lost(ws);
}

// The connection `ws` is gone (closed, or silent too long): say so at once
// and dial again after a while, doubling up to MAX_RETRY_MS, jittered so
// that a server's clients do not all come back at the same instant.
function lost(ws) {
  if (state.ws !== ws) return;
  state.ws = null;
  state.up = false;
  render();
  setTimeout(connect, state.retry * (1 + Math.random() / 2));
  state.retry = Math.min(state.retry * 2, MAX_RETRY_MS);
}

setInterval(() => {
  if (!state.up) return;
  const ws = state.ws;
  if (Date.now() - state.lastBleed > LOST_AFTER_MS && ws) {
    // A silent server's close handshake would never end: go now.
    lost(ws);
    ws.close();
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
  const pieces = splitChat(state.nick, room.wire, text);
  if (pieces === null) return show(state.current, [["error", "this message cannot be sent"]]);
  for (const piece of pieces) {
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
