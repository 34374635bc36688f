// The WebSocket underneath STOMP, with a raw `ws` client: subprotocol negotiation, frames
// split across and packed into WebSocket messages, and the drain's 1001.
import { test } from 'node:test';
import assert from 'node:assert/strict';
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
