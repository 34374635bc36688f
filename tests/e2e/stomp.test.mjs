// STOMP over WebSocket with the stock @stomp/stompjs client against the real binary.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@stomp/stompjs';
import WebSocket from 'ws';
import { startServer, api, member } from './support/server.mjs';

Object.assign(globalThis, { WebSocket });

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.stop();
});

/// A connected client; rejects with the ERROR frame's message when the server refuses.
function connect(connectHeaders) {
  return new Promise((resolve, reject) => {
    const client = new Client({
      brokerURL: server.wsUrl,
      connectHeaders,
      reconnectDelay: 0,
      heartbeatIncoming: 0,
      heartbeatOutgoing: 0,
      onConnect: () => resolve(client),
      onStompError: (frame) => reject(new Error(frame.headers.message)),
      onWebSocketClose: () => reject(new Error('closed')),
    });
    client.activate();
  });
}

function receipt(client, id) {
  return new Promise((resolve) => client.watchForReceipt(id, resolve));
}

/// Waits for `count` messages on a destination.
function collect(client, destination, count) {
  const got = [];
  return new Promise((resolve) => {
    client.subscribe(destination, (message) => {
      got.push({ headers: message.headers, body: JSON.parse(message.body) });
      if (got.length === count) resolve(got);
    });
  });
}

async function roomOf(a, b, c) {
  const room = await api(server.base, 'POST', '/api/v1/rooms', { memberIds: [b.id, c.id], name: 'e2e' }, a.token);
  assert.equal(room.status, 201);
  return room.json.id;
}

test('a message sent over STOMP is committed before its receipt and reaches every subscriber in order', async () => {
  const [amy, ben, cat] = [await member(server.base, 'amy'), await member(server.base, 'ben'), await member(server.base, 'cat')];
  const room = await roomOf(amy, ben, cat);
  const sender = await connect({ Authorization: `Bearer ${amy.token}` });
  const reader = await connect({ passcode: ben.token });

  const subscribed = receipt(reader, 'sub-done');
  const arriving = collect(reader, `/topic/rooms/${room}`, 5);
  // stompjs sends SUBSCRIBE without a receipt; a DISCONNECT-free way to know it landed is
  // a second subscription with one: frames are handled in order.
  reader.subscribe('/user/queue/events', () => {}, { receipt: 'sub-done' });
  await subscribed;

  for (let i = 1; i <= 5; i++) {
    const stored = receipt(sender, `r-${i}`);
    sender.publish({
      destination: `/app/rooms/${room}/messages`,
      body: JSON.stringify({ type: 'text', body: `hello ${i}`, clientMsgId: `c-${i}` }),
      headers: { receipt: `r-${i}` },
    });
    await stored;
    // The receipt means it is in the database.
    const count = await api(server.base, 'GET', `/api/v1/rooms/${room}/messages/count`, null, amy.token);
    assert.equal(count.json.count, i + 1); // + the room's "created" system message
  }
  const messages = await arriving;
  assert.deepEqual(messages.map((m) => m.body.body), ['hello 1', 'hello 2', 'hello 3', 'hello 4', 'hello 5']);
  const seqs = messages.map((m) => m.body.seq);
  assert.deepEqual(seqs, [2, 3, 4, 5, 6]);
  assert.equal(messages[0].headers.destination, `/topic/rooms/${room}`);
  assert.equal(messages[0].body.senderId, amy.id);
  await sender.deactivate();
  await reader.deactivate();
});

test('a reader that reconnects loses nothing: it pages after the last seq it saw', async () => {
  const [amy, ben, cat] = [await member(server.base, 'amy'), await member(server.base, 'ben'), await member(server.base, 'cat')];
  const room = await roomOf(amy, ben, cat);
  const sender = await connect({ Authorization: `Bearer ${amy.token}` });
  let reader = await connect({ Authorization: `Bearer ${ben.token}` });
  const first = await new Promise((resolve) => {
    reader.subscribe(`/topic/rooms/${room}`, (m) => resolve(JSON.parse(m.body)));
    setTimeout(() => {
      sender.publish({ destination: `/app/rooms/${room}/messages`, body: JSON.stringify({ type: 'text', body: 'one' }) });
    }, 100);
  });
  await reader.deactivate();
  for (const body of ['two', 'three']) {
    const done = receipt(sender, body);
    sender.publish({ destination: `/app/rooms/${room}/messages`, body: JSON.stringify({ type: 'text', body }), headers: { receipt: body } });
    await done;
  }
  reader = await connect({ Authorization: `Bearer ${ben.token}` });
  const missed = await api(server.base, 'GET', `/api/v1/rooms/${room}/messages?after=${first.seq}`, null, ben.token);
  assert.deepEqual(missed.json.items.map((m) => m.body), ['two', 'three']);
  await reader.deactivate();
  await sender.deactivate();
});

test('a bad token, a non-member and an unknown destination each get an ERROR with a reason', async () => {
  await assert.rejects(connect({ Authorization: 'Bearer not-a-token' }), /access token is not valid/);
  await assert.rejects(connect({}), /CONNECT needs an access token/);

  const [amy, ben, cat, dan] = [await member(server.base, 'amy'), await member(server.base, 'ben'), await member(server.base, 'cat'), await member(server.base, 'dan')];
  const room = await roomOf(amy, ben, cat);
  const outsider = await connect({ Authorization: `Bearer ${dan.token}` });
  const refused = new Promise((resolve) => { outsider.onStompError = (frame) => resolve(frame.headers.message); });
  outsider.subscribe(`/topic/rooms/${room}`, () => {});
  assert.match(await refused, /not a member/);
  await outsider.deactivate();

  const lost = await connect({ Authorization: `Bearer ${amy.token}` });
  const unknown = new Promise((resolve) => { lost.onStompError = (frame) => resolve(frame.headers.message); });
  lost.subscribe('/topic/nowhere', () => {});
  assert.match(await unknown, /unknown destination/);
  await lost.deactivate();

  // The server is unaffected.
  const health = await fetch(`${server.base}/healthz`);
  assert.equal(health.status, 200);
});

test('presence: whoever shares a room sees a member come online and go offline, live and over REST', async () => {
  const [amy, ben, cat] = [await member(server.base, 'amy'), await member(server.base, 'ben'), await member(server.base, 'cat')];
  await roomOf(amy, ben, cat);
  const watcher = await connect({ Authorization: `Bearer ${ben.token}` });
  const events = [];
  let heard = () => {};
  const subscribed = receipt(watcher, 'events');
  watcher.subscribe('/user/queue/events', (m) => {
    if (m.headers.event !== 'presence') return;
    const body = JSON.parse(m.body);
    if (body.memberId === amy.id) events.push(body);
    heard();
  }, { receipt: 'events' });
  await subscribed;
  const amyEvent = (n) => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no presence event #${n} within 10 s`)), 10000);
    heard = () => { if (events.length >= n) { clearTimeout(timer); resolve(events[n - 1]); } };
    heard();
  });
  const presence = async (token) => api(server.base, 'GET', `/api/v1/members/${amy.id}/presence`, null, token);

  const phone = await connect({ Authorization: `Bearer ${amy.token}` });
  const online = await amyEvent(1);
  assert.deepEqual(online, { memberId: amy.id, online: true, lastSeenAt: null });
  assert.equal((await presence(ben.token)).json.online, true);

  await phone.deactivate();
  const offline = await amyEvent(2);
  assert.equal(offline.online, false);
  assert.ok(Date.parse(offline.lastSeenAt) > 0, offline.lastSeenAt);
  assert.deepEqual((await presence(cat.token)).json, offline);

  const stranger = await member(server.base, 'dan');
  assert.equal((await presence(stranger.token)).status, 404);
  await watcher.deactivate();
});
