// The WebSocket underneath STOMP, with a raw `ws` client: subprotocol negotiation, frames
// split across and packed into WebSocket messages, and the drain's 1001.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { createHmac } from 'node:crypto';
import WebSocket from 'ws';
import { startServer, api, member } from './support/server.mjs';

const NUL = '\0';

/// Collects the STOMP frames a socket receives (several may share a message).
function frames(socket) {
  const seen = [];
  const waiters = [];
  let pending = '';
  socket.on('message', (data) => {
    pending += data.toString();
    let end;
    while ((end = pending.indexOf(NUL)) >= 0) {
      const text = pending.slice(0, end).replace(/^\n+/, '');
      pending = pending.slice(end + 1);
      const [head, ...rest] = text.split('\n\n');
      const [command, ...lines] = head.split('\n');
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)]));
      seen.push({ command, headers, body: rest.join('\n\n') });
      waiters.splice(0).forEach((wake) => wake());
    }
  });
  return {
    seen,
    /// Resolves once `count` frames have arrived (rejects after 10 s).
    async until(count) {
      const deadline = Date.now() + 10000;
      while (seen.length < count) {
        if (Date.now() > deadline) throw new Error(`only ${seen.length} frames: ${JSON.stringify(seen)}`);
        await new Promise((resolve) => { waiters.push(resolve); setTimeout(resolve, 100); });
      }
      return seen;
    },
  };
}

test('subprotocols, split and packed frames, and a drain that closes with 1001', async () => {
  const server = await startServer();
  try {
    const [amy, ben, cat] = [await member(server.base, 'amy'), await member(server.base, 'ben'), await member(server.base, 'cat')];
    const room = (await api(server.base, 'POST', '/api/v1/rooms', { memberIds: [ben.id, cat.id] }, amy.token)).json.id;

    const socket = new WebSocket(server.wsUrl, ['v10.stomp', 'v11.stomp', 'v12.stomp']);
    await new Promise((resolve, reject) => { socket.once('open', resolve); socket.once('error', reject); });
    assert.equal(socket.protocol, 'v12.stomp');
    const inbox = frames(socket);

    // CONNECT cut in the middle of a header, across two WebSocket messages.
    const connect = `CONNECT\naccept-version:1.2\nheart-beat:0,0\npasscode:${amy.token}\n\n${NUL}`;
    socket.send(connect.slice(0, 20));
    socket.send(connect.slice(20));
    const [connected] = await inbox.until(1);
    assert.equal(connected.command, 'CONNECTED');
    assert.equal(connected.headers.version, '1.2');

    // SUBSCRIBE and a SEND packed into one message; the MESSAGE and both RECEIPTs come back.
    const body = JSON.stringify({ type: 'text', body: 'packed', clientMsgId: 'p-1' });
    socket.send(
      `SUBSCRIBE\nid:0\ndestination:/topic/rooms/${room}\nreceipt:sub\n\n${NUL}` +
        `SEND\ndestination:/app/rooms/${room}/messages\nreceipt:sent\ncontent-length:${Buffer.byteLength(body)}\n\n${body}${NUL}`,
    );
    const got = await inbox.until(4);
    const commands = got.slice(1).map((f) => f.command).sort();
    assert.deepEqual(commands, ['MESSAGE', 'RECEIPT', 'RECEIPT']);
    const message = got.find((f) => f.command === 'MESSAGE');
    assert.equal(JSON.parse(message.body).body, 'packed');
    assert.equal(message.headers.subscription, '0');

    // The drain says goodbye with 1001 (going away).
    const closed = new Promise((resolve) => socket.once('close', (code) => resolve(code)));
    const stopping = server.stop();
    assert.equal(await closed, 1001);
    await stopping;
  } finally {
    await server.stop().catch(() => {});
  }
});

test('an upgrade whose request was still arriving when the drain began gets 503', async () => {
  const server = await startServer();
  try {
    const socket = net.connect(new URL(server.base).port, '127.0.0.1');
    await new Promise((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject); });
    let answer = '';
    socket.on('data', (chunk) => { answer += chunk; });
    const ended = new Promise((resolve) => socket.once('close', resolve));
    // Half of the request, then the drain: a request already begun is let finish.
    socket.write('GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n');
    await new Promise((resolve) => setTimeout(resolve, 500)); // read by the server: no longer idle
    const stopping = server.stop();
    await new Promise((resolve) => setTimeout(resolve, 300));
    socket.write(
      'Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n' +
        'Sec-WebSocket-Protocol: v12.stomp\r\n\r\n',
    );
    await ended;
    assert.match(answer, /^HTTP\/1\.1 503 /);
    assert.match(answer, /"code":"SERVICE_UNAVAILABLE"/);
    assert.match(answer, /shutting down/);
    await stopping;
  } finally {
    await server.stop().catch(() => {});
  }
});

/// An HS256 JWT of these claims, as the server signs them.
function signToken(claims, secret) {
  const part = (json) => Buffer.from(JSON.stringify(json)).toString('base64url');
  const unsigned = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

test('a connection ends with an ERROR when its access token expires', async () => {
  const secret = 'a-secret-of-this-test-only-so-that-it-can-sign-a-short-token';
  const server = await startServer({ env: { MODU_AUTH_JWT_SECRET: secret } });
  try {
    const amy = await member(server.base, 'amy');
    // Amy's own token, signed again to expire in two seconds (tokens last minutes at least).
    const claims = JSON.parse(Buffer.from(amy.token.split('.')[1], 'base64url'));
    const token = signToken({ ...claims, exp: Math.floor(Date.now() / 1000) + 2 }, secret);

    const socket = new WebSocket(server.wsUrl, ['v12.stomp']);
    await new Promise((resolve, reject) => { socket.once('open', resolve); socket.once('error', reject); });
    const inbox = frames(socket);
    const closed = new Promise((resolve) => socket.once('close', (code) => resolve(code)));
    socket.send(`CONNECT\naccept-version:1.2\nheart-beat:0,0\npasscode:${token}\n\n${NUL}`);
    const [connected] = await inbox.until(1);
    assert.equal(connected.command, 'CONNECTED');
    const [, error] = await inbox.until(2);
    assert.equal(error.command, 'ERROR');
    assert.equal(error.headers.code, 'UNAUTHORIZED');
    assert.match(error.headers.message, /access token expired/);
    assert.equal(await closed, 1000);
    const rest = await api(server.base, 'GET', '/api/v1/rooms', null, token);
    assert.equal(rest.status, 401, 'REST refuses the same token');
  } finally {
    await server.stop().catch(() => {});
  }
});

test('heart-beats go out on time, a silent client is dropped, and a connection without CONNECT is refused', async () => {
  const server = await startServer({ env: { MODU_WS_HEART_BEAT_MS: '1000', MODU_WS_CONNECT_TIMEOUT_SECONDS: '1' } });
  try {
    const amy = await member(server.base, 'amy');
    const open = async () => {
      const socket = new WebSocket(server.wsUrl, ['v12.stomp']);
      await new Promise((resolve, reject) => { socket.once('open', resolve); socket.once('error', reject); });
      return socket;
    };

    // Both sides every second: the server sends EOLs, and expects ours within two seconds.
    const beating = await open();
    const inbox = frames(beating);
    const beats = [];
    beating.on('message', (data) => { if (data.toString() === '\n') beats.push(Date.now()); });
    const closed = new Promise((resolve) => beating.once('close', (code) => resolve(code)));
    beating.send(`CONNECT\naccept-version:1.2\nheart-beat:1000,1000\npasscode:${amy.token}\n\n${NUL}`);
    const [connected] = await inbox.until(1);
    assert.equal(connected.headers['heart-beat'], '1000,1000');
    const since = Date.now();
    const code = await closed; // we send nothing: the server gives up on us, and says why
    const silentFor = Date.now() - since;
    assert.ok(silentFor >= 1500 && silentFor < 6000, `closed after ${silentFor} ms of silence`);
    assert.equal(code, 1000);
    const why = inbox.seen.find((frame) => frame.command === 'ERROR');
    assert.match(why?.headers.message ?? '', /not even a heart-beat, in 2000 ms/);
    assert.ok(beats.length >= 1, 'no heart-beat from the server');

    // A client that keeps beating stays.
    const alive = await open();
    const aliveInbox = frames(alive);
    alive.send(`CONNECT\naccept-version:1.2\nheart-beat:1000,0\npasscode:${amy.token}\n\n${NUL}`);
    await aliveInbox.until(1);
    let aliveClosed = false;
    alive.once('close', () => { aliveClosed = true; });
    const beat = setInterval(() => alive.send('\n'), 500);
    await new Promise((resolve) => setTimeout(resolve, 3500));
    clearInterval(beat);
    assert.equal(aliveClosed, false);
    alive.close();

    // No CONNECT within a second: an ERROR that says so, then the close.
    const mute = await open();
    const muteInbox = frames(mute);
    const [error] = await muteInbox.until(1);
    assert.equal(error.command, 'ERROR');
    assert.match(error.headers.message, /no CONNECT frame in time/);
  } finally {
    await server.stop().catch(() => {});
  }
});

/// One masked client→server WebSocket frame (RFC 6455 §5.2).
function maskedFrame(text, { opcode = 0x1, fin = true } = {}) {
  const payload = Buffer.from(text);
  const length = payload.length;
  const head = length < 126 ? Buffer.from([0, 0x80 | length])
    : length < 65536 ? Buffer.from([0, 0x80 | 126, length >> 8, length & 0xff])
    : Buffer.concat([Buffer.from([0, 0x80 | 127, 0, 0, 0, 0]), Buffer.from([(length >>> 24) & 0xff, (length >>> 16) & 0xff, (length >>> 8) & 0xff, length & 0xff])]);
  head[0] = (fin ? 0x80 : 0) | opcode;
  const mask = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  const masked = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]));
  return Buffer.concat([head, mask, masked]);
}

/// A WebSocket spoken by hand over TCP, to send frames exactly as a test wants them:
/// everything received is kept, and `waitFor` polls it (for 10 s at most).
async function rawWebSocket(server) {
  const { port } = new URL(server.base);
  const socket = net.connect(Number(port), '127.0.0.1');
  await new Promise((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject); });
  let received = Buffer.alloc(0);
  socket.on('data', (chunk) => { received = Buffer.concat([received, chunk]); });
  const closed = new Promise((resolve) => socket.once('close', resolve));
  const text = () => received.toString('latin1');
  const waitFor = async (pattern, what) => {
    const deadline = Date.now() + 10000;
    while (!pattern.test(text())) {
      if (Date.now() > deadline) throw new Error(`no ${what}; got ${JSON.stringify(text().slice(-400))}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  socket.write('GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: v12.stomp\r\n\r\n');
  await waitFor(/101 Switching Protocols[\s\S]*\r\n\r\n/, '101');
  return { socket, text, waitFor, closed };
}

test('frames that arrive byte by byte, packed into one write, fragmented or large are all read right', async () => {
  const server = await startServer();
  try {
    const [amy, ben, cat] = [await member(server.base, 'amy'), await member(server.base, 'ben'), await member(server.base, 'cat')];
    const room = (await api(server.base, 'POST', '/api/v1/rooms', { memberIds: [ben.id, cat.id] }, amy.token)).json.id;
    const { socket, text, waitFor } = await rawWebSocket(server);

    // CONNECT trickles in a byte at a time, its frame header too.
    const connect = maskedFrame(`CONNECT\naccept-version:1.2\nheart-beat:0,0\npasscode:${amy.token}\n\n${NUL}`);
    for (const byte of connect.subarray(0, 12)) {
      socket.write(Buffer.from([byte]));
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
    socket.write(connect.subarray(12));
    await waitFor(/CONNECTED/, 'CONNECTED');

    // Three frames in one TCP write: a SUBSCRIBE, and a SEND cut into two fragments.
    const send = `SEND\ndestination:/app/rooms/${room}/messages\nreceipt:one\n\n${JSON.stringify({ type: 'text', body: 'fragmented' })}${NUL}`;
    socket.write(Buffer.concat([
      maskedFrame(`SUBSCRIBE\nid:0\ndestination:/topic/rooms/${room}\nreceipt:sub\n\n${NUL}`),
      maskedFrame(send.slice(0, 30), { fin: false }),
      maskedFrame(send.slice(30), { opcode: 0x0 }),
    ]));
    await waitFor(/receipt-id:one/, 'the SEND\'s RECEIPT');
    assert.match(text(), /receipt-id:sub/);

    // A large message (over Beast's 1,536-octet read buffer), right behind a small one.
    const long = 'x'.repeat(3000);
    socket.write(Buffer.concat([
      maskedFrame(`SEND\ndestination:/app/rooms/${room}/messages\nreceipt:two\n\n${JSON.stringify({ type: 'text', body: 'small' })}${NUL}`),
      maskedFrame(`SEND\ndestination:/app/rooms/${room}/messages\nreceipt:three\n\n${JSON.stringify({ type: 'text', body: long })}${NUL}`),
    ]));
    await waitFor(/receipt-id:three/, 'the large SEND\'s RECEIPT');
    const history = await api(server.base, 'GET', `/api/v1/rooms/${room}/messages`, null, amy.token);
    assert.deepEqual(history.json.items.filter((m) => m.type === 'text').map((m) => m.body), ['fragmented', 'small', long]);
    socket.destroy();
  } finally {
    await server.stop().catch(() => {});
  }
});

test('a frame over the size limits is answered with an ERROR that says which, then the close', async () => {
  const server = await startServer();
  try {
    const [amy, ben] = [await member(server.base, 'amy'), await member(server.base, 'ben')];
    const room = (await api(server.base, 'POST', '/api/v1/rooms', { memberIds: [ben.id] }, amy.token)).json.id;
    const send = (bytes) => `SEND\ndestination:/app/rooms/${room}/messages\nreceipt:big\n\n${'x'.repeat(bytes)}${NUL}`;
    const cases = [
      // Over ws.maxBodyBytes (64 KiB) but within ws.maxFrameBytes (80 KiB): the parser says
      // so, and names the frame's receipt, which it has read.
      { bytes: 70000, reason: /body is larger than the max body size \(65536/, receipt: 'big' },
      // Over ws.maxFrameBytes, in one WebSocket message: stopped at the limit, not read whole.
      { bytes: 200000, reason: /WebSocket message is larger than 81920/, receipt: undefined },
    ];
    for (const { bytes, reason, receipt } of cases) {
      const socket = new WebSocket(server.wsUrl, ['v12.stomp']);
      await new Promise((resolve, reject) => { socket.once('open', resolve); socket.once('error', reject); });
      const inbox = frames(socket);
      const closed = new Promise((resolve) => socket.once('close', (code) => resolve(code)));
      socket.send(`CONNECT\naccept-version:1.2\nheart-beat:0,0\npasscode:${amy.token}\n\n${NUL}`);
      await inbox.until(1);
      socket.send(send(bytes));
      const [, error] = await inbox.until(2);
      assert.equal(error.command, 'ERROR', `${bytes} octets`);
      assert.match(error.headers.message, reason);
      assert.equal(error.headers['receipt-id'], receipt);
      assert.equal(await closed, 1000);
    }
    const count = await api(server.base, 'GET', `/api/v1/rooms/${room}/messages/count`, null, amy.token);
    assert.equal(count.json.count, 0, 'nothing was stored');
  } finally {
    await server.stop().catch(() => {});
  }
});

/// A room of three, and a raw connection for `who` that is subscribed to it.
async function roomWithRawSubscriber(server, who) {
  const [amy, ben, cat] = [await member(server.base, 'amy'), await member(server.base, 'ben'), await member(server.base, 'cat')];
  const room = (await api(server.base, 'POST', '/api/v1/rooms', { memberIds: [ben.id, cat.id] }, amy.token)).json.id;
  const raw = await rawWebSocket(server);
  const token = { amy, ben, cat }[who].token;
  raw.socket.write(Buffer.concat([
    maskedFrame(`CONNECT\naccept-version:1.2\nheart-beat:0,0\npasscode:${token}\n\n${NUL}`),
    maskedFrame(`SUBSCRIBE\nid:0\ndestination:/topic/rooms/${room}\nreceipt:sub\n\n${NUL}`),
  ]));
  await raw.waitFor(/receipt-id:sub/, 'the SUBSCRIBE\'s RECEIPT');
  return { amy, ben, cat, room, raw };
}

/// A `ws` client CONNECTed and SUBSCRIBEd to the room (both answered): {socket, inbox}.
async function subscribedSocket(server, token, room) {
  const socket = new WebSocket(server.wsUrl, ['v12.stomp']);
  await new Promise((resolve, reject) => { socket.once('open', resolve); socket.once('error', reject); });
  const inbox = frames(socket);
  socket.send(`CONNECT\naccept-version:1.2\nheart-beat:0,0\npasscode:${token}\n\n${NUL}` +
    `SUBSCRIBE\nid:0\ndestination:/topic/rooms/${room}\nreceipt:sub\n\n${NUL}`);
  await inbox.until(2);
  return { socket, inbox };
}

/// `count` messages of about 3 KB from `sender`, over REST, eight at a time.
async function flood(server, room, sender, count) {
  const body = 'x'.repeat(3000);
  for (let i = 0; i < count; i += 8) {
    const sends = [];
    for (let j = i; j < Math.min(count, i + 8); j++) {
      sends.push(api(server.base, 'POST', `/api/v1/rooms/${room}/messages`, { type: 'text', body: `${j} ${body}` }, sender.token));
    }
    for (const sent of await Promise.all(sends)) assert.equal(sent.status, 201);
  }
}

test('a client that stops reading is told it fell behind, and nobody else waits for it', async () => {
  const server = await startServer({ env: { MODU_WS_OUTBOUND_QUEUE_FRAMES: '64', MODU_WS_SEND_BUFFER_BYTES: '65536' } });
  try {
    const { amy, cat, room, raw: slow } = await roomWithRawSubscriber(server, 'ben');
    slow.socket.pause(); // Ben's phone stops reading: the kernel's buffers fill, then his queue

    // Cat keeps up, with the stock client underneath: she gets every message.
    const { socket: fast, inbox } = await subscribedSocket(server, cat.token, room);

    const count = 600;
    await flood(server, room, amy, count);
    await inbox.until(2 + count);
    assert.equal(inbox.seen.filter((f) => f.command === 'MESSAGE').length, count);

    // Ben reads again: what was written before he fell behind, then why he was dropped.
    slow.socket.resume();
    await slow.waitFor(/ERROR[\s\S]*fell too far behind/, 'the ERROR');
    await slow.closed;
    fast.close();
  } finally {
    await server.stop().catch(() => {});
  }
});

test('a client that never reads again is let go once a write has waited too long', async () => {
  const server = await startServer({ env: { MODU_WS_WRITE_TIMEOUT_SECONDS: '1', MODU_WS_SEND_BUFFER_BYTES: '65536' } });
  try {
    const { amy, room, raw: stuck } = await roomWithRawSubscriber(server, 'ben');
    stuck.socket.pause();
    await flood(server, room, amy, 600); // far more than the kernel's buffers take (64 KiB to send)
    // The timeout is the behaviour under test, so the test lets it pass: one second for
    // the write, one for the clock's tick, and a margin.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    stuck.socket.resume();
    // What was already on its way arrives, then the end: the server let go.
    const ended = await Promise.race([stuck.closed.then(() => true), new Promise((resolve) => setTimeout(resolve, 10000, false))]);
    assert.ok(ended, 'the connection is still open');
    assert.doesNotMatch(stuck.text(), /fell too far behind/); // the queue never overflowed: it was the write
    const health = await fetch(`${server.base}/healthz`);
    assert.equal(health.status, 200);
  } finally {
    await server.stop().catch(() => {});
  }
});

test('a RECEIPT is written at once, not with the next paced flush of deliveries', async () => {
  // The longest pacing interval makes the difference plain: once a flush has happened,
  // frames to deliver wait up to a second for the next; replies to the client do not.
  const server = await startServer({ env: { MODU_WS_FLUSH_INTERVAL_MS: '1000' } });
  try {
    const [amy, ben] = [await member(server.base, 'amy'), await member(server.base, 'ben')];
    const room = (await api(server.base, 'POST', '/api/v1/rooms', { memberIds: [ben.id] }, amy.token)).json.id;
    const { socket, inbox } = await subscribedSocket(server, amy.token, room);

    // Amy's first message is delivered to her own subscription at once and starts the
    // interval; the RECEIPTs of this and the next send come within it all the same.
    for (const n of [1, 2]) {
      const started = Date.now();
      socket.send(`SEND\ndestination:/app/rooms/${room}/messages\nreceipt:r-${n}\n\n{"type":"text","body":"hi ${n}"}${NUL}`);
      for (;;) {
        await inbox.until(inbox.seen.length + 1);
        if (inbox.seen.some((f) => f.command === 'RECEIPT' && f.headers['receipt-id'] === `r-${n}`)) break;
      }
      assert.ok(Date.now() - started < 600, `RECEIPT r-${n} took ${Date.now() - started} ms`);
    }
    socket.close();
  } finally {
    await server.stop().catch(() => {});
  }
});
