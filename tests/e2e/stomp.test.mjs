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

/// Subscribes `client` to its own queue (and waits for the receipt), keeping the bodies
/// of the `event` events. `until(pick, what)` resolves with what `pick(seen)` finds once it
/// finds something; it rejects after 10 s.
async function queueEvents(client, event) {
  const seen = [];
  let heard = () => {};
  const subscribed = receipt(client, `queue-${event}`);
  client.subscribe('/user/queue/events', (m) => {
    if (m.headers.event !== event) return;
    seen.push(JSON.parse(m.body));
    heard();
  }, { receipt: `queue-${event}` });
  await subscribed;
  return {
    seen,
    until: (pick, what) => new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${what} within 10 s: ${JSON.stringify(seen)}`)), 10000);
      heard = () => {
        const found = pick(seen);
        if (found !== undefined) { clearTimeout(timer); resolve(found); }
      };
      heard();
    }),
  };
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
  // KakaoTalk's number beside each: Ben and Cat had read none of them when it came.
  assert.deepEqual(messages.map((m) => m.body.unreadMemberCount), [2, 2, 2, 2, 2]);
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
  const events = await queueEvents(watcher, 'presence');
  const amyEvent = (n) => events.until((seen) => seen.filter((e) => e.memberId === amy.id)[n - 1], `presence event #${n}`);
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

test('my queue tells my unread count and the last message when a room I do not watch gets messages', async () => {
  const [amy, ben] = [await member(server.base, 'amy'), await member(server.base, 'ben')];
  const room = (await api(server.base, 'POST', '/api/v1/rooms', { memberIds: [ben.id] }, amy.token)).json.id;
  const watcher = await connect({ Authorization: `Bearer ${ben.token}` });
  const news = await queueEvents(watcher, 'unread');

  const sender = await connect({ passcode: amy.token });
  for (const body of ['one', 'two', 'three']) {
    const sent = receipt(sender, body);
    sender.publish({
      destination: `/app/rooms/${room}/messages`,
      body: JSON.stringify({ type: 'text', body }),
      headers: { receipt: body },
    });
    await sent;
  }
  // The first at once; the others, however fast they came, by the end of an interval.
  const last = await news.until((seen) => seen.find((n) => n.lastSeq === 3), 'news of the third message');
  assert.equal(last.roomId, room);
  assert.equal(last.unreadCount, 3);
  assert.equal(last.readSeq, 0);
  assert.equal(last.lastMessage.body, 'three');
  assert.equal(last.lastMessage.senderId, amy.id);
  const listed = await api(server.base, 'GET', '/api/v1/rooms', null, ben.token);
  assert.equal(listed.json.items.find((r) => r.id === room).unreadCount, 3);
  await Promise.all([sender.deactivate(), watcher.deactivate()]);
});
