// The web client at `/` in headless Chromium (Debian's, driven by playwright-core)
// against the real binary: two people in two browser contexts log in, find each other's
// room, chat live both ways, see unread counts, and page back through history.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startServer, api } from './support/server.mjs';

const WAIT_MS = 10_000; // every wait for the page is bounded by this
const CHROMIUM = process.env.MODU_CHROMIUM ?? '/usr/bin/chromium';
const SCREENSHOTS = process.env.MODU_E2E_SCREENSHOTS; // a folder, to look at the pages
// The binary serves the web client's files as they were when it was built. To try the
// client's working copy without a rebuild, name its folder here (web/client): the pages
// get its app.js and app.css instead, with the server's headers. (Not index.html: a
// page the test served would not count as the server's, and Chromium would keep it
// from opening a WebSocket to a local address.)
const CLIENT_DIR = process.env.MODU_E2E_CLIENT_DIR;

let server;
let browser;
before(async () => {
  server = await startServer();
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/// Signs a member up over REST (quicker than the form): {id, email, password, nickname, token}.
async function signUp(nickname, on = server) {
  const email = `${nickname}-${Date.now()}-${Math.random().toString(36).slice(2)}@example.com`;
  const password = 'correct horse';
  const signup = await api(on.base, 'POST', '/api/v1/auth/signup', { email, password, nickname });
  assert.equal(signup.status, 201, JSON.stringify(signup.json));
  const login = await api(on.base, 'POST', '/api/v1/auth/login', { email, password });
  return { id: signup.json.id, email, password, nickname, token: login.json.accessToken };
}

/// A fresh browser context: its own storage, as another browser would have.
async function newContext() {
  const context = await browser.newContext({ viewport: { width: 1100, height: 760 } });
  if (CLIENT_DIR) {
    await context.route(/\/assets\/app\.(js|css)$/, async (route) => {
      const response = await route.fetch();
      const name = new URL(route.request().url()).pathname.slice('/assets/'.length);
      await route.fulfill({ response, body: readFileSync(join(CLIENT_DIR, name)) });
    });
  }
  return context;
}

/// A fresh browser context logged in through the form, live. `prepare(context)` runs
/// before the page opens.
async function logIn(user, prepare = async () => {}, on = server) {
  const context = await newContext();
  await prepare(context);
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  page.problems = [];
  page.on('pageerror', (error) => page.problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') page.problems.push(`console error: ${message.text()}`);
  });
  try {
    await page.goto(`${on.base}/`);
    await page.getByTestId('login-email').fill(user.email);
    await page.getByTestId('login-password').fill(user.password);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('me').filter({ hasText: user.nickname }).waitFor();
    await page.locator('[data-testid="connection"][data-state="live"]').waitFor();
  } catch (error) {
    // Say what the page showed: a timeout alone does not tell why.
    const shown = await page.evaluate(() => document.body?.innerText ?? '').catch(() => '(no page)');
    error.message += `\npage ${page.url()} showed: ${shown.slice(0, 400)}\nproblems: ${page.problems.join('; ')}`;
    throw error;
  }
  return page;
}

const roomItem = (page, name) =>
  page.getByTestId('room-item').filter({ has: page.getByTestId('room-name').getByText(name, { exact: true }) });
const messageBody = (page, text) => page.getByTestId('message-body').getByText(text, { exact: true });

/// Types `text` into the composer and sends it with Enter, as a person would.
async function say(page, text) {
  await page.getByTestId('composer').fill(text);
  await page.getByTestId('composer').press('Enter');
}

async function screenshot(page, name) {
  if (!SCREENSHOTS) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}

/// The seqs of the messages on screen, in page order.
const seqsOnScreen = (page) =>
  page.getByTestId('message').evaluateAll((nodes) => nodes.map((node) => Number(node.dataset.seq)));

function assertNoProblems(...pages) {
  for (const page of pages) assert.deepEqual(page.problems, []);
}

/// The page's WebSocket through the test, which can cut it (`sockets.at(-1).close()`) and
/// refuse new ones while `refused` (the browser's offline mode leaves WebSockets alone).
/// `closedByPage[i]` is when the page closed socket i. Pass `link.prepare` to `logIn`.
function testLink() {
  const link = { sockets: [], closedByPage: [], refused: false };
  link.prepare = (context) =>
    context.routeWebSocket(/\/ws$/, (socket) => {
      if (link.refused) return socket.close();
      const toServer = socket.connectToServer();
      const index = link.sockets.push(socket) - 1;
      socket.onClose((code, reason) => {
        link.closedByPage[index] = Date.now();
        toServer.close({ code, reason }); // what the route does by itself without this handler
      });
    });
  return link;
}

/// Takes `page` (logged in with `link.prepare`) off the network: no REST, no WebSocket.
async function goOffline(page, link) {
  link.refused = true;
  await page.context().setOffline(true);
  await link.sockets.at(-1).close();
  await page.locator('[data-testid="connection"][data-state="reconnecting"]').waitFor();
}

async function goOnline(page, link) {
  link.refused = false;
  await page.context().setOffline(false);
  await page.locator('[data-testid="connection"][data-state="live"]').waitFor();
}

/// The page's tab goes to the background (`hidden`), or comes back, as far as the page can tell.
const setHidden = (page, hidden) =>
  page.evaluate((on) => {
    if (on) Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
    else delete document.hidden; // the real one again: visible
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);

/// Opens a room over REST (a group with `name`, or with more than one other): its id.
async function openRoom(by, others, name) {
  const created = await api(server.base, 'POST', '/api/v1/rooms', { memberIds: others.map((o) => o.id), name }, by.token);
  assert.ok(created.status === 200 || created.status === 201, JSON.stringify(created.json));
  return created.json.id;
}

async function post(by, roomId, body) {
  const sent = await api(server.base, 'POST', `/api/v1/rooms/${roomId}/messages`, { type: 'text', body }, by.token);
  assert.equal(sent.status, 201, JSON.stringify(sent.json));
  return sent.json;
}

/// What the browser logs of each REST try while it is offline.
const OFFLINE = 'Failed to load resource: net::ERR_INTERNET_DISCONNECTED';

test('two people chat live in the browser: the room list, unread counts, messages both ways', async () => {
  const [amy, ben] = [await signUp('amy'), await signUp('ben')];
  const [a, b] = [await logIn(amy), await logIn(ben)];
  await screenshot(a, 'rooms-empty-amy');

  // Amy opens the room by Ben's email.
  await a.getByTestId('open-room-email').fill(ben.email);
  await a.getByTestId('open-room-submit').click();
  await a.getByTestId('room-title').getByText('ben', { exact: true }).waitFor();
  await a.getByTestId('room-subtitle').getByText('ben · online', { exact: true }).waitFor(); // he is logged in too
  await roomItem(a, 'ben').waitFor();
  assert.match(new URL(a.url()).hash, /^#\/rooms\/\d+$/);

  // Ben is told of the new room on his own queue: it shows up in his list.
  await roomItem(b, 'amy').waitFor();

  // Amy writes while Ben looks at his list: it shows the message and one unread.
  await say(a, 'hello');
  await messageBody(a, 'hello').waitFor();
  const hello = a.getByTestId('message').filter({ has: messageBody(a, 'hello') });
  await hello.getByTestId('unread-members').getByText('1', { exact: true }).waitFor(); // Ben has not read it
  await roomItem(b, 'amy').getByTestId('room-last').getByText('hello', { exact: true }).waitFor();
  await roomItem(b, 'amy').getByTestId('unread-badge').getByText('1', { exact: true }).waitFor();
  await screenshot(b, 'list-ben');

  // Ben opens the room: he sees it once, it is read, and Amy sees that live.
  await roomItem(b, 'amy').click();
  await messageBody(b, 'hello').waitFor();
  await roomItem(b, 'amy').getByTestId('unread-badge').waitFor({ state: 'detached' });
  await hello.getByTestId('unread-members').getByText('1', { exact: true }).waitFor({ state: 'detached' });

  // Ben answers; Amy, in the room, sees it live (and Ben's typing before it).
  await b.getByTestId('composer').fill('hi amy');
  await a.getByTestId('typing').getByText('ben is typing…').waitFor();
  await b.getByTestId('composer').press('Enter');
  await messageBody(a, 'hi amy').waitFor();
  await messageBody(b, 'hi amy').waitFor();
  await b.getByTestId('pending-message').waitFor({ state: 'detached' });
  await a.getByTestId('typing').getByText('ben is typing…').waitFor({ state: 'detached' });
  assert.equal(await roomItem(a, 'ben').getByTestId('unread-badge').count(), 0);
  // Amy is looking, so she reads it: the number beside it goes on both sides.
  for (const page of [a, b]) {
    const reply = page.getByTestId('message').filter({ has: messageBody(page, 'hi amy') });
    await reply.getByTestId('unread-members').getByText('1', { exact: true }).waitFor({ state: 'detached' });
  }

  // Amy goes to another tab: Ben's next message waits for her, and her page says so
  // too, as the server counts it. Back in view, she reads it, and Ben sees that.
  await setHidden(a, true);
  await say(b, 'still there?');
  const unreadBeside = (page, text) =>
    page.getByTestId('message').filter({ has: messageBody(page, text) }).getByTestId('unread-members');
  await unreadBeside(a, 'still there?').getByText('1', { exact: true }).waitFor();
  await unreadBeside(b, 'still there?').getByText('1', { exact: true }).waitFor();
  await setHidden(a, false);
  for (const page of [a, b]) {
    await unreadBeside(page, 'still there?').getByText('1', { exact: true }).waitFor({ state: 'detached' });
  }

  // Each message shows once, in seq order, on both sides.
  for (const page of [a, b]) {
    assert.equal(await messageBody(page, 'hello').count(), 1);
    assert.equal(await messageBody(page, 'hi amy').count(), 1);
    const seqs = await seqsOnScreen(page);
    assert.deepEqual(seqs, [...seqs].sort((x, y) => x - y));
    assert.equal(new Set(seqs).size, seqs.length);
  }
  await screenshot(a, 'room-amy');
  await screenshot(b, 'room-ben');
  assertNoProblems(a, b);

  // Ben closes his browser: Amy sees when he was last there.
  await b.context().close();
  await a.getByTestId('room-subtitle').getByText(/^ben · last seen /).waitFor();
  assertNoProblems(a);
  await a.context().close();
});

test('scrolling up loads older history; a live message lands after it', async () => {
  const [cat, dan] = [await signUp('cat'), await signUp('dan')];
  const room = await api(server.base, 'POST', '/api/v1/rooms', { memberIds: [dan.id] }, cat.token);
  assert.equal(room.status, 201);
  const roomId = room.json.id;
  for (let i = 1; i <= 60; i++) {
    const sent = await api(server.base, 'POST', `/api/v1/rooms/${roomId}/messages`,
                           { type: 'text', body: `old message ${i}`, clientMsgId: `seed-${i}` }, cat.token);
    assert.equal(sent.status, 201);
  }

  const d = await logIn(dan);
  await roomItem(d, 'cat').getByTestId('unread-badge').getByText('60', { exact: true }).waitFor();
  await roomItem(d, 'cat').click();
  await messageBody(d, 'old message 60').waitFor();
  assert.equal(await messageBody(d, 'old message 1').count(), 0, 'only the latest page at first');
  await roomItem(d, 'cat').getByTestId('unread-badge').waitFor({ state: 'detached' });

  // Up to the top: the page before comes in above, and what was on screen stays put.
  const messages = d.getByTestId('messages');
  const before = (await seqsOnScreen(d)).length;
  await messages.evaluate((box) => { box.scrollTop = 0; });
  await messageBody(d, 'old message 1').waitFor();
  const seqs = await seqsOnScreen(d);
  assert.ok(seqs.length > before);
  assert.deepEqual(seqs, Array.from({ length: 60 }, (_, i) => i + 1));
  assert.ok(await messages.evaluate((box) => box.scrollTop > 0), 'the view keeps its place');
  await d.getByTestId('history-status').getByText('The beginning of the conversation').waitFor();

  // A message sent now (over REST, by Cat) arrives live at the bottom.
  await api(server.base, 'POST', `/api/v1/rooms/${roomId}/messages`, { type: 'text', body: 'new one' }, cat.token);
  await messageBody(d, 'new one').waitFor();
  assert.deepEqual((await seqsOnScreen(d)).slice(-2), [60, 61]);

  // Dan's answer waits for Cat (1 unread) until Cat writes again: sending moves Cat's
  // read position past it, which no `read` event tells, so the page works it out.
  await say(d, 'thanks');
  const thanks = d.getByTestId('message').filter({ has: messageBody(d, 'thanks') });
  await thanks.getByTestId('unread-members').getByText('1', { exact: true }).waitFor();
  await api(server.base, 'POST', `/api/v1/rooms/${roomId}/messages`, { type: 'text', body: 'any time' }, cat.token);
  await messageBody(d, 'any time').waitFor();
  await thanks.getByTestId('unread-members').getByText('1', { exact: true }).waitFor({ state: 'detached' });

  // Too long: it stays in the composer, with a word on why (in characters, as the
  // server counts them: 4,000 emoji are 8,000 UTF-16 units, and fine).
  const composer = d.getByTestId('composer');
  await composer.fill('x'.repeat(4001));
  await composer.press('Enter');
  await d.getByTestId('composer-error').getByText('A message holds at most 4000 characters.').waitFor();
  assert.equal((await composer.inputValue()).length, 4001);
  assert.equal(await d.getByTestId('pending-message').count(), 0);
  const emoji = '\u{1F600}'.repeat(4000);
  await composer.fill(emoji);
  await d.getByTestId('composer-error').getByText(/at most/).waitFor({ state: 'detached' });
  await composer.press('Enter');
  await messageBody(d, emoji).waitFor();

  // A reload keeps Dan logged in and in the room.
  await d.reload();
  await messageBody(d, 'any time').waitFor();
  await d.locator('[data-testid="connection"][data-state="live"]').waitFor();
  const last = d.getByTestId('message').filter({ has: messageBody(d, 'any time') });
  await last.getByTestId('unread-members').getByText('1', { exact: true }).waitFor({ state: 'detached' });
  await screenshot(d, 'history-dan');
  assertNoProblems(d);
  await d.context().close();
});

test('a dropped connection comes back and catches up; what I send meanwhile goes over REST', async () => {
  const [eve, fay] = [await signUp('eve'), await signUp('fay')];
  const room = await api(server.base, 'POST', '/api/v1/rooms', { memberIds: [fay.id] }, eve.token);
  const roomId = room.json.id;
  await api(server.base, 'POST', `/api/v1/rooms/${roomId}/messages`, { type: 'text', body: 'before' }, eve.token);

  const link = testLink();
  const { sockets } = link;
  const f = await logIn(fay, link.prepare);
  await roomItem(f, 'eve').click();
  await messageBody(f, 'before').waitFor();

  await sockets.at(-1).close();
  await f.locator('[data-testid="connection"][data-state="reconnecting"]').waitFor();
  // Sent while Fay is away (the client waits 2 s before reconnecting).
  await api(server.base, 'POST', `/api/v1/rooms/${roomId}/messages`, { type: 'text', body: 'while away' }, eve.token);
  await say(f, 'sent offline');
  await messageBody(f, 'sent offline').waitFor();

  await f.locator('[data-testid="connection"][data-state="live"]').waitFor();
  await messageBody(f, 'while away').waitFor();
  await api(server.base, 'POST', `/api/v1/rooms/${roomId}/messages`, { type: 'text', body: 'back again' }, eve.token);
  await messageBody(f, 'back again').waitFor();
  await f.getByTestId('pending-message').waitFor({ state: 'detached' });
  assert.equal(sockets.length, 2);

  const bodies = await f.getByTestId('message-body').allTextContents();
  assert.deepEqual(bodies.sort(), ['back again', 'before', 'sent offline', 'while away']);
  const seqs = await seqsOnScreen(f);
  assert.deepEqual(seqs, [1, 2, 3, 4]);
  const stored = await api(server.base, 'GET', `/api/v1/rooms/${roomId}/messages`, null, eve.token);
  assert.equal(stored.json.items.length, 4, 'nothing was stored twice');
  assertNoProblems(f);
  await f.context().close();
});

test('a message typed while the server cannot be reached at all is sent once it can', async () => {
  const [gus, hal] = [await signUp('gus'), await signUp('hal')];
  const room = await api(server.base, 'POST', '/api/v1/rooms', { memberIds: [hal.id] }, gus.token);
  const roomId = room.json.id;
  // Offline: the page's WebSocket is cut and refused, and REST fails too.
  const link = testLink();
  const h = await logIn(hal, link.prepare);
  await roomItem(h, 'gus').click();
  await h.getByTestId('history-status').getByText('No messages yet: say hello').waitFor();

  await goOffline(h, link);
  await say(h, 'typed offline');
  const waiting = h.getByTestId('pending-message').filter({ hasText: 'typed offline' });
  await waiting.getByText('waiting for the connection…').waitFor();
  await new Promise((resolve) => setTimeout(resolve, 2500)); // a reconnect is tried, and refused
  await waiting.getByText('waiting for the connection…').waitFor();

  await goOnline(h, link);
  await messageBody(h, 'typed offline').waitFor();
  await waiting.waitFor({ state: 'detached' });
  const stored = await api(server.base, 'GET', `/api/v1/rooms/${roomId}/messages`, null, gus.token);
  assert.deepEqual(stored.json.items.map((m) => m.body), ['typed offline']);
  await h.context().close();
});

test('a message typed offline still goes out after I switch to another room', async () => {
  const [lea, max, ned] = [await signUp('lea'), await signUp('max'), await signUp('ned')];
  const withMax = (await api(server.base, 'POST', '/api/v1/rooms', { memberIds: [max.id] }, lea.token)).json.id;
  await api(server.base, 'POST', '/api/v1/rooms', { memberIds: [ned.id] }, lea.token);
  const link = testLink();
  const l = await logIn(lea, link.prepare);
  await roomItem(l, 'max').click();
  await l.getByTestId('history-status').getByText('No messages yet: say hello').waitFor();

  await goOffline(l, link);
  await say(l, 'for max, typed offline');
  await l.getByTestId('pending-message').getByText('waiting for the connection…').waitFor();

  // Away to Ned's room, and back: the message still waits, shown once.
  await roomItem(l, 'ned').click();
  await l.getByTestId('room-title').getByText('ned', { exact: true }).waitFor();
  assert.equal(await l.getByTestId('pending-message').count(), 0, "Max's message is not shown in Ned's room");
  await roomItem(l, 'max').click();
  await l.getByTestId('pending-message').filter({ hasText: 'for max, typed offline' }).waitFor();
  assert.equal(await l.getByTestId('pending-message').count(), 1);

  // In Ned's room when the connection comes back: it goes to Max's room all the same.
  await roomItem(l, 'ned').click();
  await l.getByTestId('room-title').getByText('ned', { exact: true }).waitFor();
  await goOnline(l, link);
  const stored = async () =>
    (await api(server.base, 'GET', `/api/v1/rooms/${withMax}/messages`, null, max.token)).json.items.map((m) => m.body);
  for (const deadline = Date.now() + WAIT_MS; (await stored()).length === 0 && Date.now() < deadline; ) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.deepEqual(await stored(), ['for max, typed offline']);

  await roomItem(l, 'max').click();
  await messageBody(l, 'for max, typed offline').waitFor();
  assert.equal(await l.getByTestId('pending-message').count(), 0, 'nothing left waiting');
  assert.deepEqual(l.problems.filter((problem) => !problem.endsWith(OFFLINE)), []);
  await l.context().close();
});

test('a send that fails late, after its resend was stored, leaves nothing waiting', async () => {
  const [quin, rex] = [await signUp('quin'), await signUp('rex')];
  await api(server.base, 'POST', '/api/v1/rooms', { memberIds: [rex.id] }, quin.token);
  const link = testLink();
  const q = await logIn(quin, link.prepare);
  await roomItem(q, 'rex').click();
  await q.getByTestId('history-status').getByText('No messages yet: say hello').waitFor();

  // The socket is down, so the send goes over REST, and that request hangs.
  let failHeld;
  const held = new Promise((resolve) => { failHeld = resolve; });
  await q.context().route(/\/api\/v1\/rooms\/\d+\/messages$/, async (route) => {
    await held;
    await route.abort('failed');
  }, { times: 1 });
  link.refused = true;
  await link.sockets.at(-1).close();
  await q.locator('[data-testid="connection"][data-state="reconnecting"]').waitFor();
  await say(q, 'late failure');
  await q.getByTestId('pending-message').filter({ hasText: 'late failure' }).waitFor();

  // The connection comes back and sends it again: stored, shown. Then the first try fails.
  link.refused = false;
  await q.locator('[data-testid="connection"][data-state="live"]').waitFor();
  await messageBody(q, 'late failure').waitFor();
  await q.getByTestId('pending-message').waitFor({ state: 'detached' });
  failHeld();
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.equal(await q.getByTestId('pending-message').count(), 0, 'no bubble left waiting for a stored message');
  await q.context().close();
});

test('signing out while a token renewal is on its way stays signed out', async () => {
  const sam = await signUp('sam');
  const p = await logIn(sam);
  let releaseReissue;
  const reissueHeld = new Promise((resolve) => { releaseReissue = resolve; });
  let reissueSeen = false;
  let reissueAnswered;
  const answered = new Promise((resolve) => { reissueAnswered = resolve; });
  await p.context().route(/\/auth\/reissue$/, async (route) => {
    reissueSeen = true;
    const response = await route.fetch(); // the server spends the refresh token now
    await reissueHeld;
    await route.fulfill({ response });
    reissueAnswered();
  });
  // A 401 on the room list makes the page renew its token.
  const expired = { code: 'UNAUTHORIZED', message: 'the access token has expired', requestId: 'test' };
  await p.context().route(/\/api\/v1\/rooms(\?.*)?$/, (route) =>
    route.fulfill({ status: 401, contentType: 'application/json', body: JSON.stringify(expired) }), { times: 1 });
  await p.getByTestId('refresh-rooms').click();
  for (const deadline = Date.now() + WAIT_MS; !reissueSeen && Date.now() < deadline; ) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.ok(reissueSeen, 'the page asked for a new token');

  await p.getByTestId('logout').click();
  await p.getByTestId('login-form').waitFor();
  releaseReissue();
  await answered;
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(await p.evaluate(() => sessionStorage.getItem('modu.session')), null, 'the answer revived nothing');
  await p.reload();
  await p.getByTestId('login-form').waitFor();
  assert.equal(await p.getByTestId('me').isVisible(), false);
  await p.context().close();
});

test('a rename and my leaving, done elsewhere, reach the room I have open, also while it was away', async () => {
  const [ida, jon, kim] = [await signUp('ida'), await signUp('jon'), await signUp('kim')];
  const open = async (name) => {
    const created = await api(server.base, 'POST', '/api/v1/rooms', { memberIds: [jon.id, kim.id], name }, ida.token);
    return created.json.id;
  };
  const [trip, plans] = [await open('Trip'), await open('Plans')];
  const link = testLink();
  const { sockets } = link;
  const i = await logIn(ida, link.prepare);
  await roomItem(i, 'Trip').click();
  await i.getByTestId('room-title').getByText('Trip', { exact: true }).waitFor();
  await i.getByTestId('room-subtitle').getByText('3 members', { exact: true }).waitFor();

  // Jon renames it on his phone: the open room's title follows.
  assert.equal((await api(server.base, 'PATCH', `/api/v1/rooms/${trip}`, { name: 'Jeju' }, jon.token)).status, 200);
  await i.getByTestId('room-title').getByText('Jeju', { exact: true }).waitFor();

  // Ida leaves it on her phone: the page lets the room go.
  assert.equal((await api(server.base, 'DELETE', `/api/v1/rooms/${trip}/members/me`, null, ida.token)).status, 204);
  await i.waitForFunction(() => location.hash === '#/rooms');
  await roomItem(i, 'Jeju').waitFor({ state: 'detached' });

  // Again with the other room, left while the page was not listening: once back, the
  // page lets it go too, instead of asking for it at every reconnect (which the server
  // refuses by ending the connection).
  await roomItem(i, 'Plans').click();
  await i.getByTestId('room-title').getByText('Plans', { exact: true }).waitFor();
  link.refused = true;
  await sockets.at(-1).close();
  await i.locator('[data-testid="connection"][data-state="reconnecting"]').waitFor();
  assert.equal((await api(server.base, 'DELETE', `/api/v1/rooms/${plans}/members/me`, null, ida.token)).status, 204);
  const before = sockets.length;
  link.refused = false;
  await i.waitForFunction(() => location.hash === '#/rooms');
  await i.locator('[data-testid="connection"][data-state="live"]').waitFor();
  await new Promise((resolve) => setTimeout(resolve, 5000)); // a reconnect loop goes round every 2 s
  await i.locator('[data-testid="connection"][data-state="live"]').waitFor();
  assert.ok(sockets.length - before <= 2, `${sockets.length - before} reconnects after the room went`);
  await i.context().close();
});

test('a group made, renamed, grown and left from the page itself', async () => {
  const [eve, fay, gus, hal] = [await signUp('eve'), await signUp('fay'), await signUp('gus'), await signUp('hal')];
  const [e, f, g] = [await logIn(eve), await logIn(fay), await logIn(gus)];
  const subtitle = (page, text) => page.getByTestId('room-subtitle').getByText(text, { exact: true });
  const systemLine = (page, text) => page.getByTestId('message').getByText(text, { exact: true });

  // An unknown email is named in the error, and so is my own; nothing is opened.
  await e.getByTestId('open-room-email').fill(`${fay.email}, nobody-${Date.now()}@example.com`);
  await e.getByTestId('open-room-submit').click();
  await e.getByTestId('open-room-error').getByText(/^Nobody has the email nobody-/).waitFor();
  await e.getByTestId('open-room-email').fill(`${fay.email}, ${eve.email}`);
  await e.getByTestId('open-room-submit').click();
  await e.getByTestId('open-room-error').getByText(`${eve.email} is you: leave it out.`).waitFor();
  assert.equal(await e.getByTestId('room-item').count(), 0);

  // Several emails make a group, with the name asked for only then.
  await e.getByTestId('open-room-email').fill(fay.email);
  assert.equal(await e.getByTestId('open-room-name').isVisible(), false);
  await e.getByTestId('open-room-email').fill(`${fay.email}, ${gus.email}`);
  await e.getByTestId('open-room-name').fill('Trip');
  await screenshot(e, 'open-group-eve');
  await e.getByTestId('open-room-submit').click();
  await e.getByTestId('room-title').getByText('Trip', { exact: true }).waitFor();
  await subtitle(e, '3 members').waitFor();
  await systemLine(e, 'eve opened the room').waitFor();

  // The others are told at once; Gus writes, Fay's list shows it.
  await roomItem(f, 'Trip').waitFor();
  await roomItem(g, 'Trip').click();
  await say(g, 'hi all');
  await messageBody(e, 'hi all').waitFor();
  await roomItem(f, 'Trip').getByTestId('room-last').getByText('hi all', { exact: true }).waitFor();
  await roomItem(f, 'Trip').getByTestId('unread-badge').waitFor();

  // Eve renames it from the room's menu: everyone's title and list follow. (Escape
  // closes the menu.)
  await e.getByTestId('room-menu-toggle').click();
  await e.getByTestId('invite-email').press('Escape');
  await e.getByTestId('room-menu').waitFor({ state: 'hidden' });
  await e.getByTestId('room-menu-toggle').click();
  assert.equal(await e.getByTestId('rename-name').inputValue(), 'Trip');
  await e.getByTestId('rename-name').fill('Jeju');
  await e.getByTestId('rename-submit').click();
  await e.getByTestId('room-menu').waitFor({ state: 'hidden' });
  await e.getByTestId('room-title').getByText('Jeju', { exact: true }).waitFor();
  await g.getByTestId('room-title').getByText('Jeju', { exact: true }).waitFor();
  await roomItem(f, 'Jeju').waitFor();
  await systemLine(g, 'eve named the room “Jeju”').waitFor();

  // Fay mutes it: its unread count stays in her list, but no longer calls from the title.
  await roomItem(f, 'Jeju').click();
  await f.getByTestId('room-menu-toggle').click();
  await f.getByTestId('mute-toggle').click();
  await roomItem(f, 'Jeju').getByTestId('muted-mark').waitFor();
  await f.getByTestId('room-menu-toggle').click();
  assert.equal(await f.getByTestId('mute-toggle').textContent(), 'Unmute this room');
  await f.evaluate(() => {
    location.hash = '#/rooms';
  });
  await say(g, 'quiet please');
  await roomItem(f, 'Jeju').getByTestId('room-last').getByText('quiet please', { exact: true }).waitFor();
  assert.equal(await roomItem(f, 'Jeju').locator('.badge.quiet').count(), 1);
  assert.equal(await f.title(), 'Modu');

  // She invites Hal: the line names him, on her page and on Gus's.
  await e.getByTestId('room-menu-toggle').click();
  await e.getByTestId('invite-email').fill(hal.email);
  await screenshot(e, 'room-menu-eve');
  await e.getByTestId('invite-submit').click();
  for (const page of [e, g]) {
    await subtitle(page, '4 members').waitFor();
    await systemLine(page, 'eve invited hal').waitFor();
  }
  const members = await api(server.base, 'GET', `/api/v1/rooms/${new URL(e.url()).hash.split('/')[2]}`, null, hal.token);
  assert.equal(members.status, 200, 'Hal is in the room');

  // Gus leaves, after saying yes: the room goes from his page, the others see him go.
  await g.getByTestId('room-menu-toggle').click();
  await g.getByTestId('leave-room').click();
  await g.getByTestId('leave-cancel').click(); // not yet
  await subtitle(g, '4 members').waitFor();
  await g.getByTestId('leave-room').click();
  await g.getByTestId('leave-confirm').click();
  await g.waitForFunction(() => location.hash === '#/rooms');
  await roomItem(g, 'Jeju').waitFor({ state: 'detached' });
  await subtitle(e, '3 members').waitFor();
  await systemLine(e, 'gus left').waitFor();

  // A 1:1 room has no name to change; inviting there starts a new group of the three.
  await e.getByTestId('open-room-email').fill(fay.email);
  await e.getByTestId('open-room-submit').click();
  await e.getByTestId('room-title').getByText('fay', { exact: true }).waitFor();
  await e.getByTestId('room-menu-toggle').click();
  assert.equal(await e.getByTestId('rename-form').isVisible(), false);
  await e.getByTestId('invite-email').fill(gus.email);
  await e.getByTestId('invite-submit').click();
  await e.getByTestId('room-title').getByText('fay, gus', { exact: true }).waitFor();
  await subtitle(e, '3 members').waitFor();
  await roomItem(e, 'fay').waitFor(); // the 1:1 room is still there
  await roomItem(g, 'eve, fay').waitFor();

  // Someone invited to an unnamed group shows in everyone's list, named from the server.
  await e.getByTestId('room-menu-toggle').click();
  await e.getByTestId('invite-email').fill(hal.email);
  await e.getByTestId('invite-submit').click();
  await subtitle(e, '4 members').waitFor();
  await roomItem(e, 'fay, gus, hal').waitFor();
  await roomItem(g, 'eve, fay, hal').waitFor();
  assertNoProblems(e, f, g);
  for (const page of [e, f, g]) await page.context().close();
});

test('the friend list: add by email, chat from it, block and unblock', async () => {
  const [joy, kai, lee] = [await signUp('joy'), await signUp('kai'), await signUp('lee')];
  const j = await logIn(joy);
  const listed = (list, name) =>
    j.getByTestId(list).getByTestId('friend-item').filter({ has: j.getByTestId('friend-name').getByText(name, { exact: true }) });

  await j.getByTestId('tab-friends').click();
  await j.getByText('No friends yet: add one by email above.').waitFor();
  await j.getByTestId('add-friend-email').fill(`nobody-${Date.now()}@example.com`);
  await j.getByTestId('add-friend-submit').click();
  await j.getByTestId('add-friend-error').getByText(/^Nobody has the email nobody-/).waitFor();
  await j.getByTestId('add-friend-email').fill(kai.email);
  await j.getByTestId('add-friend-submit').click();
  await listed('friend-list', 'kai').waitFor();

  // Added on another device: the list hears of it.
  assert.equal((await api(server.base, 'POST', '/api/v1/friends', { memberId: lee.id }, joy.token)).status, 201);
  await listed('friend-list', 'lee').waitFor();

  // Chat opens our 1:1 room.
  await listed('friend-list', 'kai').getByTestId('friend-chat').click();
  await j.getByTestId('room-title').getByText('kai', { exact: true }).waitFor();
  const room = new URL(j.url()).hash.split('/')[2];

  // Blocked, Kai moves to the blocked list and can no longer write to me; unblocked, back.
  await listed('friend-list', 'kai').getByTestId('friend-block').click();
  await listed('blocked-list', 'kai').waitFor();
  await screenshot(j, 'friends-joy');
  await listed('friend-list', 'kai').waitFor({ state: 'detached' });
  assert.equal(await j.evaluate(() => document.activeElement?.dataset.action), 'unblock'); // the focus went along
  // Adding him again says where he is.
  await j.getByTestId('add-friend-email').fill(kai.email);
  await j.getByTestId('add-friend-submit').click();
  await j.getByTestId('add-friend-error').getByText('You blocked kai: unblock them below.').waitFor();
  const hey = { type: 'text', body: 'hey' };
  assert.equal((await api(server.base, 'POST', `/api/v1/rooms/${room}/messages`, hey, kai.token)).status, 403);
  await listed('blocked-list', 'kai').getByTestId('friend-unblock').click();
  await listed('friend-list', 'kai').waitFor();
  await j.getByTestId('blocked-list').waitFor({ state: 'hidden' });
  assert.equal((await api(server.base, 'POST', `/api/v1/rooms/${room}/messages`, hey, kai.token)).status, 201);
  await messageBody(j, 'hey').waitFor();

  // More blocked members than one page holds are all listed.
  const pests = await Promise.all(Array.from({ length: 101 }, (_, i) => signUp(`pest${i}`)));
  await Promise.all(pests.map(async (pest) => {
    assert.equal((await api(server.base, 'POST', '/api/v1/friends', { memberId: pest.id }, joy.token)).status, 201);
    const blocked = await api(server.base, 'PATCH', `/api/v1/friends/${pest.id}`, { blocked: true }, joy.token);
    assert.equal(blocked.status, 200);
  }));
  await j.getByTestId('tab-rooms').click();
  await j.getByTestId('tab-friends').click(); // read anew
  await listed('blocked-list', 'pest100').waitFor();
  assert.equal(await j.getByTestId('blocked-list').getByTestId('friend-item').count(), 101);
  assertNoProblems(j);
  await j.context().close();
});

test('before its access token expires, the page moves to a fresh connection without going quiet', async () => {
  const shortLived = await startServer({ env: { MODU_AUTH_ACCESS_TOKEN_MINUTES: '1' } });
  try {
    const [ola, pia] = [await signUp('ola', shortLived), await signUp('pia', shortLived)];
    const room = await api(shortLived.base, 'POST', '/api/v1/rooms', { memberIds: [pia.id] }, ola.token);
    const link = testLink();
    const loggedInAt = Date.now();
    const o = await logIn(ola, link.prepare, shortLived);
    await roomItem(o, 'pia').click();
    await o.getByTestId('history-status').getByText('No messages yet: say hello').waitFor();
    await o.locator('[data-testid="connection"]').evaluate((badge) => {
      window.connectionStates = [];
      new MutationObserver(() => window.connectionStates.push(badge.dataset.state)).observe(badge, {
        attributes: true,
        attributeFilter: ['data-state'],
      });
    });

    // The token lasts a minute: a fifth of that before it ends, a second connection opens,
    // takes over, and the page lets the first go, before the server would have ended it.
    for (const deadline = Date.now() + 70_000; !link.closedByPage[0] && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.equal(link.sockets.length, 2, 'a second connection took over');
    assert.ok(link.closedByPage[0] < loggedInAt + 58_000, 'the first was let go before its token expired');
    const session = JSON.parse(await o.evaluate(() => sessionStorage.getItem('modu.session')));
    assert.ok(session.expiresAt > Date.now() + 30_000, 'the page holds a fresh token');

    // Live all along, and still: Pia's message arrives on the new connection.
    assert.ok(!(await o.evaluate(() => window.connectionStates)).includes('reconnecting'));
    const pia2 = await api(shortLived.base, 'POST', '/api/v1/auth/login', { email: pia.email, password: pia.password });
    await api(shortLived.base, 'POST', `/api/v1/rooms/${room.json.id}/messages`, { type: 'text', body: 'still here' },
              pia2.json.accessToken);
    await messageBody(o, 'still here').waitFor();
    assert.equal(link.sockets.length, 2, 'no reconnect');
    assertNoProblems(o);
    await o.context().close();
  } finally {
    await shortLived.stop();
  }
});

test('a room that could not open while the server was away opens when clicked again, or once it is back', async () => {
  const [amy, ben, cat] = [await signUp('amy'), await signUp('ben'), await signUp('cat')];
  const [withBen, withCat] = [await openRoom(amy, [ben]), await openRoom(amy, [cat])];
  await post(ben, withBen, 'ben says hi');
  await post(cat, withCat, 'cat says hi');
  const link = testLink();
  const a = await logIn(amy, link.prepare);
  const unreachable = () =>
    a.getByTestId('history-status').getByText('Cannot reach the server; the room opens once it is back.').waitFor();

  // Nothing reaches the server: Cat's room cannot open, and says why in words. What I
  // type there waits for the connection, as in any room of mine.
  await goOffline(a, link);
  await roomItem(a, 'cat').click();
  await unreachable();
  await say(a, 'typed in a room not loaded');
  await a.getByTestId('pending-message').getByText('waiting for the connection…').waitFor();

  // REST is back, the live connection not yet: a click on the room loads it.
  await a.context().setOffline(false);
  await roomItem(a, 'cat').click();
  await messageBody(a, 'cat says hi').waitFor();

  // Again with Ben's room: this time the connection coming back loads it by itself,
  // and the message typed in Cat's room goes out.
  await a.context().setOffline(true);
  await roomItem(a, 'ben').click();
  await unreachable();
  await goOnline(a, link);
  await messageBody(a, 'ben says hi').waitFor();
  await post(ben, withBen, 'live again');
  await messageBody(a, 'live again').waitFor();
  const stored = async () =>
    (await api(server.base, 'GET', `/api/v1/rooms/${withCat}/messages`, null, cat.token)).json.items.map((m) => m.body);
  for (const deadline = Date.now() + WAIT_MS; (await stored()).length < 2 && Date.now() < deadline; ) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.deepEqual(await stored(), ['cat says hi', 'typed in a room not loaded']);
  assert.deepEqual(a.problems.filter((problem) => !problem.endsWith(OFFLINE)), []);
  await a.context().close();
});

test('when the server cannot be reached, logging in and opening a room say so in words', async () => {
  const [ivy, jay] = [await signUp('ivy'), await signUp('jay')];
  const context = await newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  await page.goto(`${server.base}/`);
  await page.route(/\/api\/v1\//, (route) => route.abort('connectionrefused'));
  await page.getByTestId('login-email').fill(ivy.email);
  await page.getByTestId('login-password').fill(ivy.password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('auth-error').getByText('Cannot reach the server; try again in a moment.').waitFor();
  await page.unroute(/\/api\/v1\//);
  await page.getByTestId('login-submit').click();
  await page.locator('[data-testid="connection"][data-state="live"]').waitFor();

  await page.route(/\/api\/v1\/members/, (route) => route.abort('connectionrefused'));
  await page.getByTestId('open-room-email').fill(jay.email);
  await page.getByTestId('open-room-submit').click();
  await page.getByTestId('open-room-error').getByText('Cannot reach the server; try again in a moment.').waitFor();
  await context.close();
});

test('a link to a room, opened while logged out, leads there; a room I am not in offers no composer', async () => {
  const [kit, lia, moe] = [await signUp('kit'), await signUp('lia'), await signUp('moe')];
  const ours = await openRoom(kit, [lia]);
  await post(lia, ours, 'see you there');
  const theirs = await openRoom(lia, [moe]);
  const context = await newContext();
  const k = await context.newPage();
  k.setDefaultTimeout(WAIT_MS);
  await k.goto(`${server.base}/#/rooms/${ours}`);
  await k.getByTestId('login-email').fill(kit.email);
  await k.getByTestId('login-password').fill(kit.password);
  await k.getByTestId('login-submit').click();
  await messageBody(k, 'see you there').waitFor();
  assert.equal(new URL(k.url()).hash, `#/rooms/${ours}`);

  // Someone else's room: it says so, and there is nothing to write in.
  await k.evaluate((id) => { location.hash = `#/rooms/${id}`; }, theirs);
  await k.getByTestId('history-status').getByText('You are not in this room.').waitFor();
  await k.getByTestId('send-form').waitFor({ state: 'hidden' });
  // Back in a room of mine, the composer is back.
  await roomItem(k, 'lia').click();
  await k.getByTestId('send-form').waitFor();
  await context.close();
});

test('messages in any script read in their own direction', async () => {
  const [noa, oz] = [await signUp('noa'), await signUp('oz')];
  const roomId = await openRoom(oz, [noa]);
  await post(oz, roomId, 'שלום, מה שלומך?');
  const n = await logIn(noa);
  await roomItem(n, 'oz').getByTestId('room-last').getByText('שלום, מה שלומך?').waitFor();
  assert.equal(await roomItem(n, 'oz').getByTestId('room-last').getAttribute('dir'), 'auto');
  await roomItem(n, 'oz').click();
  assert.equal(await messageBody(n, 'שלום, מה שלומך?').getAttribute('dir'), 'auto');
  await n.context().close();
});

test('the open room counts in the tab title while the tab is in the background', async () => {
  const [pam, quy] = [await signUp('pam'), await signUp('quy')];
  const roomId = await openRoom(quy, [pam]);
  await post(quy, roomId, 'first');
  const p = await logIn(pam);
  await roomItem(p, 'quy').click();
  await messageBody(p, 'first').waitFor();
  await p.waitForFunction(() => document.title === 'Modu');
  const readByPam = async () =>
    (await api(server.base, 'GET', `/api/v1/rooms/${roomId}`, null, quy.token)).json.members
      .find((m) => m.memberId === pam.id).readSeq;
  for (const deadline = Date.now() + WAIT_MS; (await readByPam()) < 1 && Date.now() < deadline; ) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  await setHidden(p, true);
  await post(quy, roomId, 'while away 1');
  await post(quy, roomId, 'while away 2');
  await messageBody(p, 'while away 2').waitFor();
  await p.waitForFunction(() => document.title === '(2) Modu');
  await setHidden(p, false);
  await p.waitForFunction(() => document.title === 'Modu');
  await p.context().close();
});

test('members are named, also those who have left and those past the list\'s preview of a group', async () => {
  const people = [];
  for (const nickname of ['amy', 'ben', 'cat', 'dan', 'eve', 'fay', 'gus', 'hal']) people.push(await signUp(nickname));
  const [amy, ben, cat, dan, eve, fay, gus, hal] = people;
  const big = await openRoom(amy, [ben, cat, dan, eve, fay, gus], 'Big');
  await post(dan, big, 'dan was here');
  assert.equal((await api(server.base, 'DELETE', `/api/v1/rooms/${big}/members/me`, null, dan.token)).status, 204);

  const a = await logIn(amy);
  await roomItem(a, 'Big').getByTestId('room-last').getByText('dan left', { exact: true }).waitFor();
  await roomItem(a, 'Big').click();
  const danWasHere = a.getByTestId('message').filter({ has: messageBody(a, 'dan was here') });
  await danWasHere.getByTestId('message-sender').getByText('dan', { exact: true }).waitFor();
  await a.getByTestId('message').getByText('dan left', { exact: true }).waitFor();

  // Gus, not among the four members the list shows of the room, invites Hal, while
  // Amy looks at her list: its last line names them both.
  await a.evaluate(() => { location.hash = '#/rooms'; });
  const invited = await api(server.base, 'POST', `/api/v1/rooms/${big}/members`, { memberIds: [hal.id] }, gus.token);
  assert.equal(invited.status, 200);
  await roomItem(a, 'Big').getByTestId('room-last').getByText('gus invited hal', { exact: true }).waitFor();
  assert.deepEqual(await a.getByText(/member \d+/).allTextContents(), []);
  assertNoProblems(a);
  await a.context().close();
});

test('a 1:1 room the other left keeps their name, and counts them again once a message brings them back', async () => {
  const [uma, ned] = [await signUp('uma'), await signUp('ned')];
  const roomId = await openRoom(uma, [ned]);
  await post(ned, roomId, 'hello uma');
  const u = await logIn(uma);
  await roomItem(u, 'ned').click();
  await messageBody(u, 'hello uma').waitFor();

  assert.equal((await api(server.base, 'DELETE', `/api/v1/rooms/${roomId}/members/me`, null, ned.token)).status, 204);
  await u.getByTestId('message').getByText('ned left', { exact: true }).waitFor();
  await u.getByTestId('room-subtitle').getByText('ned left this room', { exact: true }).waitFor();
  assert.equal(await u.getByTestId('room-title').textContent(), 'ned');
  await roomItem(u, 'ned').waitFor();
  await screenshot(u, 'peer-left-uma');

  // Writing to him puts him back in the room: he has not read it yet, and the page says so.
  await say(u, 'come back');
  const comeBack = u.getByTestId('message').filter({ has: messageBody(u, 'come back') });
  await comeBack.getByTestId('unread-members').getByText('1', { exact: true }).waitFor();
  await u.getByTestId('room-subtitle').getByText(/^ned( · |$)/).waitFor();
  assert.equal(await u.getByTestId('room-title').textContent(), 'ned');
  assertNoProblems(u);
  await u.context().close();
});

test('a list grown with "More rooms" keeps its length when read again; the title does not understate', async () => {
  const [kat, lou, mia] = [await signUp('kat'), await signUp('lou'), await signUp('mia')];
  for (let i = 1; i <= 60; i++) {
    const roomId = await openRoom(lou, [kat, mia], `Room ${i}`);
    await post(lou, roomId, `news ${i}`);
  }
  const listed = (await api(server.base, 'GET', '/api/v1/rooms?size=100', null, kat.token)).json.items;
  const unread = (items) => items.reduce((sum, room) => sum + room.unreadCount, 0);
  const k = await logIn(kat);
  const items = k.getByTestId('room-item');
  await roomItem(k, 'Room 60').waitFor();
  assert.equal(await items.count(), 50);
  assert.equal(await k.title(), `(${unread(listed.slice(0, 50))}+) Modu`, 'more rooms may hold more unread');

  await k.getByTestId('more-rooms').click();
  await roomItem(k, 'Room 1').waitFor();
  assert.equal(await items.count(), 60);
  await k.getByTestId('more-rooms').waitFor({ state: 'hidden' });
  assert.equal(await k.title(), `(${unread(listed)}) Modu`);

  // Read again, as after a reconnect or a new room: all 60 stay, and the new one joins them.
  await k.getByTestId('refresh-rooms').click();
  await openRoom(lou, [kat, mia], 'Room 61');
  await roomItem(k, 'Room 61').waitFor();
  await new Promise((resolve) => setTimeout(resolve, 300)); // the list read anew
  assert.equal(await items.count(), 61);
  await roomItem(k, 'Room 1').waitFor();
  assertNoProblems(k);
  await k.context().close();
});

test('a duplicated tab shares its session: a token renewed in either keeps both logged in', async () => {
  const [val, wes] = [await signUp('val'), await signUp('wes')];
  const roomId = await openRoom(wes, [val]);
  const first = await logIn(val);
  // The browser's "Duplicate tab": a tab of the same browser with a copy of the first
  // one's sessionStorage.
  const copied = await first.evaluate(() => sessionStorage.getItem('modu.session'));
  const second = await first.context().newPage();
  second.setDefaultTimeout(WAIT_MS);
  await second.addInitScript((session) => {
    if (!sessionStorage.getItem('modu.session')) sessionStorage.setItem('modu.session', session);
  }, copied);
  await second.goto(`${server.base}/`);
  await second.locator('[data-testid="connection"][data-state="live"]').waitFor();
  // And a log-in of its own in a third tab.
  const third = await first.context().newPage();
  third.setDefaultTimeout(WAIT_MS);
  await third.goto(`${server.base}/`);
  await third.getByTestId('login-email').fill(val.email);
  await third.getByTestId('login-password').fill(val.password);
  await third.getByTestId('login-submit').click();
  await third.locator('[data-testid="connection"][data-state="live"]').waitFor();

  const storedToken = () => JSON.parse(sessionStorage.getItem('modu.session'))?.refreshToken;
  const refreshToken = (page) => page.evaluate(storedToken);
  /// Tells `page` its access token has expired (a 401 on the room list), so that it renews.
  const renewIn = async (page) => {
    const before = await refreshToken(page);
    const expired = { code: 'UNAUTHORIZED', message: 'the access token has expired', requestId: 'test' };
    await page.route(/\/api\/v1\/rooms(\?.*)?$/, (route) =>
      route.fulfill({ status: 401, contentType: 'application/json', body: JSON.stringify(expired) }), { times: 1 });
    await page.getByTestId('refresh-rooms').click();
    await page.waitForFunction((old) => JSON.parse(sessionStorage.getItem('modu.session'))?.refreshToken !== old,
                               before);
  };
  // Each tab in turn is told its token expired: each time, both hold the same new pair.
  for (const page of [second, first, second, third]) {
    await renewIn(page);
    assert.equal(await refreshToken(first), await refreshToken(second));
  }
  assert.notEqual(await refreshToken(third), await refreshToken(first), 'a log-in of its own');

  // All three are still logged in, and live.
  await post(wes, roomId, 'still with us?');
  for (const page of [first, second, third]) {
    await roomItem(page, 'wes').getByTestId('room-last').getByText('still with us?').waitFor();
    await page.getByTestId('refresh-rooms').click();
    await roomItem(page, 'wes').waitFor();
    assert.equal(await page.getByTestId('login-form').isVisible(), false);
  }
  const reissued = await api(server.base, 'POST', '/api/v1/auth/reissue', { refreshToken: await refreshToken(first) });
  assert.equal(reissued.status, 200, 'the shared session is alive');
  await first.context().close();
});

test('while I read older messages, new ones wait below, unread, until I scroll down to them', async () => {
  const [rob, sue] = [await signUp('rob'), await signUp('sue')];
  const roomId = await openRoom(sue, [rob]);
  for (let i = 1; i <= 40; i++) await post(sue, roomId, `old news ${i}`);
  const r = await logIn(rob);
  await roomItem(r, 'sue').click();
  await messageBody(r, 'old news 40').waitFor();
  const readByRob = async () =>
    (await api(server.base, 'GET', `/api/v1/rooms/${roomId}`, null, sue.token)).json.members
      .find((m) => m.memberId === rob.id).readSeq;
  const readReaches = async (seq) => {
    for (const deadline = Date.now() + WAIT_MS; (await readByRob()) < seq && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(await readByRob(), seq);
  };
  await readReaches(40);

  // Up in the history, a new message comes: it stays unread, and the page says it is there.
  await r.getByTestId('messages').evaluate((box) => { box.scrollTop = 0; });
  await messageBody(r, 'old news 1').waitFor();
  await post(sue, roomId, 'breaking news');
  await r.getByTestId('new-below').waitFor();
  await screenshot(r, 'new-below-rob');
  await new Promise((resolve) => setTimeout(resolve, 500)); // time enough to mark it read
  assert.equal(await readByRob(), 40);

  // Down to it: read.
  await r.getByTestId('new-below').click();
  await messageBody(r, 'breaking news').waitFor();
  await readReaches(41);
  await r.getByTestId('new-below').waitFor({ state: 'hidden' });
  assertNoProblems(r);
  await r.context().close();
});
