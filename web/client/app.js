// Modu's web client: log in, my rooms with unread counts, a room's history and live chat.
// Plain JavaScript and the DOM; REST under /api/v1 and STOMP 1.2 over /ws through
// @stomp/stompjs (its browser bundle defines window.StompJs). No build step.
//
// How it stays right:
// - A room's messages are kept by seq; whatever arrives twice (live and in a page) is
//   shown once, and always in seq order.
// - A live message that skips a seq, a reconnect, and a page loaded while live messages
//   were arriving all end in the same catch-up: pages `after=` the newest seq held.
// - A send carries a clientMsgId and a receipt: until the server has it, it waits in the
//   outbox (shown as pending while its room is open), and after a reconnect it is sent
//   again with the same clientMsgId, which the server turns into the first message
//   instead of a second one. The outbox outlives the room's view: a message typed
//   offline goes out once the connection is back, whichever room is open by then.

const API = '/api/v1';
const PAGE_SIZE = 30;
const CATCH_UP_SIZE = 100;
const MAX_TEXT_LENGTH = 4000; // chat.maxTextLength's default
const MAX_ROOM_SUBSCRIPTIONS = 90; // the server takes 100 subscriptions per connection
const TYPING_EVERY_MS = 3000;
const TYPING_SHOWN_MS = 4000;
const SESSION_KEY = 'modu.session';

// ---------------------------------------------------------------- small helpers

const $ = (selector) => document.querySelector(selector);

/// An element with attributes (`text` sets its text, `dataset` its data-*) and children.
function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'text') node.textContent = value;
    else if (name === 'className') node.className = value;
    else if (name === 'dataset') Object.assign(node.dataset, value);
    else node.setAttribute(name, value === true ? '' : value);
  }
  node.append(...children);
  return node;
}

function randomId() {
  if (crypto.randomUUID) return crypto.randomUUID(); // only in secure contexts (https, localhost)
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const dateFormat = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });

/// The day of `at`, with its year when that is not this one.
function dayOf(at) {
  return at.getFullYear() === new Date().getFullYear() ? dayFormat.format(at) : dateFormat.format(at);
}

/// A message's time; with its day, when that is not today.
function messageTime(iso) {
  const at = new Date(iso);
  const time = timeFormat.format(at);
  return at.toDateString() === new Date().toDateString() ? time : `${dayOf(at)}, ${time}`;
}

function shortTime(iso) {
  if (!iso) return '';
  const at = new Date(iso);
  return at.toDateString() === new Date().toDateString() ? timeFormat.format(at) : dayOf(at);
}

function initial(name) {
  return (name || '?').trim().charAt(0).toUpperCase() || '?';
}

/// A stable hue per id, so a person's avatar keeps its colour.
function hueOf(id) {
  return (Number(id) * 137) % 360;
}

/// What the server refuses in a text message: control characters but line breaks. And,
/// as it does, blanks at the ends, invisible ones too (zero-width space, the Hangul fillers).
function cleanText(text) {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[\u0000-\u0009\u000B-\u001F\u007F-\u009F]/g, ' ')
    .replace(/^[\s\u200B\u3164\uFFA0]+|[\s\u200B\u3164\uFFA0]+$/g, '');
}

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

// ---------------------------------------------------------------- session and REST

/// The server could not be reached at all (it is down, or the network is): what `fetch`
/// reports as a bare "Failed to fetch", said as a person would.
class Unreachable extends Error {
  constructor() {
    super('Cannot reach the server; try again in a moment.');
  }
}

/// {sessionId, generation, accessToken, refreshToken, expiresAt, lifetimeMs, member}; in
/// sessionStorage so that a reload keeps the tab logged in and closing it forgets.
/// `sessionId` names the log-in, which every renewal keeps; `generation` counts renewals.
let auth = null;
try {
  auth = JSON.parse(sessionStorage.getItem(SESSION_KEY));
} catch {
  auth = null;
}
if (auth && !auth.sessionId) {
  // Stored before sessions had ids: one now, which a duplicate of this tab copies.
  Object.assign(auth, { sessionId: randomId(), generation: 0 });
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(auth));
}

function keepSession(session) {
  auth = session;
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(auth));
}

/// A log-in's tokens, or a renewal's (`of` is the session renewed).
function setSession(login, of = null) {
  keepSession({
    sessionId: of?.sessionId ?? randomId(),
    generation: of ? of.generation + 1 : 0,
    accessToken: login.accessToken,
    refreshToken: login.refreshToken,
    expiresAt: Date.now() + login.expiresIn * 1000,
    lifetimeMs: login.expiresIn * 1000,
    member: login.member,
  });
}

const me = () => auth?.member?.id;

// ---- one session in several tabs
//
// A duplicated tab (the browser's "Duplicate" copies sessionStorage) starts with the
// session of the tab it came from, and so with the same refresh token, good for one use:
// were both tabs to renew it, the server would take the second use for a theft and end
// the session in both. So the tabs of one session renew together. One of them, the
// renewer, is the only one to trade the refresh token: the tab holding the Web Lock
// named after the session (the first to ask; when its tab closes, the lock passes to
// the next). It tells every new pair to the others over a BroadcastChannel, and they
// adopt it; one that needs a new pair sooner asks for it, and whichever tab holds a newer
// pair answers. A tab that missed a pair (it was reloading) and then became the renewer
// asks the others for a newer one before it renews. A lock rather than a message decides
// who renews, because a lock cannot be held by two tabs at once.
// A separate log-in in another tab is a session of its own, with a lock of its own.
// (A renewer closed while its renewal is on its way takes the new pair with it: the
// next renewal, from another tab, then ends the session, as a reuse. It is rare enough.)
// Without Web Locks or BroadcastChannel (an http page that is not on localhost), each
// tab renews alone, as before.

const sessionChannel = typeof BroadcastChannel === 'function' ? new BroadcastChannel('modu.session') : null;
const canShareSession = Boolean(sessionChannel && navigator.locks);
const RENEWER_WAIT_MS = 5000;
const CATCH_UP_MS = 200;

/// This tab's place in its session: {sessionId, renewer, settled, leave}. `settled`
/// resolves once it is known whether this tab is the renewer.
let sharing = null;

function tellTabs(message) {
  sessionChannel?.postMessage({ sessionId: auth?.sessionId, ...message });
}

/// Takes this tab's place among the tabs of its session: the renewer when no other tab
/// of the session is, and queued to be one after it otherwise.
function joinSession() {
  if (!canShareSession || !auth || sharing?.sessionId === auth.sessionId) return;
  leaveSession();
  const left = new AbortController();
  let release;
  const held = new Promise((resolve) => {
    release = resolve;
  });
  const place = { sessionId: auth.sessionId, renewer: false, leave: () => (left.abort(), release()) };
  const hold = () => {
    if (left.signal.aborted) return undefined;
    place.renewer = true;
    return held; // the lock is this tab's until it lets go of the session
  };
  const lockName = `modu.renewer.${place.sessionId}`;
  place.settled = new Promise((settle) => {
    navigator.locks.request(lockName, { ifAvailable: true }, (lock) => {
      settle();
      if (lock) return hold();
      navigator.locks.request(lockName, { signal: left.signal }, hold).catch(() => {}); // aborted: left
      return undefined;
    });
  });
  sharing = place;
}

function leaveSession() {
  sharing?.leave();
  sharing = null;
  for (const answer of [...renewalWaiters.keys()]) answer(null);
}

/// Renewals waiting for the renewer's next pair, each with the generation it renews: it
/// is told true (a newer pair adopted), false (the session has ended) or null (signed
/// out here meanwhile).
const renewalWaiters = new Map();

/// What a tab that is not the renewer does to renew: asks the renewer for a pair newer
/// than the one it holds.
function askRenewer(session) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      renewalWaiters.delete(answer);
      reject(new Error('reissue: the tab that renews did not answer'));
    }, RENEWER_WAIT_MS);
    const answer = (renewed) => {
      clearTimeout(timer);
      renewalWaiters.delete(answer);
      if (renewed === null) reject(new Error('reissue: signed out meanwhile'));
      else resolve(renewed);
    };
    renewalWaiters.set(answer, session.generation);
    tellTabs({ type: 'renew', session });
  });
}

/// What the renewer does before it trades its refresh token. It may hold a spent one: a
/// tab that was reloading when a pair went round missed it, and may have become the
/// renewer since. So it asks the others for a newer pair, and takes one if any has it.
async function catchUpWithTabs(session) {
  tellTabs({ type: 'newest', generation: session.generation });
  await new Promise((resolve) => setTimeout(resolve, CATCH_UP_MS));
}

sessionChannel?.addEventListener('message', ({ data }) => {
  if (!auth || data.sessionId !== auth.sessionId) return; // another log-in's
  switch (data.type) {
    case 'renewed': // the renewer's new pair
      if (data.session.generation > auth.generation) keepSession(data.session);
      for (const [answer, generation] of [...renewalWaiters]) if (generation < auth.generation) answer(true);
      break;
    case 'newest': // the renewer asks whether a tab holds a newer pair than it does
      if (data.generation < auth.generation) tellTabs({ type: 'renewed', session: auth });
      break;
    case 'renew': // a tab of the session needs a newer pair than the one it sends
      // Whichever tab holds a newer pair answers; the renewer takes the asker's, if newer.
      if (data.session.generation < auth.generation) {
        tellTabs({ type: 'renewed', session: auth });
        break;
      }
      if (data.session.generation > auth.generation) keepSession(data.session);
      if (!sharing?.renewer) break;
      reissue().then(
        (renewed) => renewed || signOut('Your session has ended: log in again.'), // which tells them
        (error) => console.warn('reissue:', error), // they ask again
      );
      break;
    case 'ended': // logged out, or refused, in another tab: the session is over here too
      for (const answer of [...renewalWaiters.keys()]) answer(false);
      signOut(data.message, { tellTabs: false });
      break;
    default:
      break;
  }
});

let reissuing = null;

/// Trades the refresh token for a new pair, once at a time: a refresh token is good for
/// one use, and presenting it twice would end the session. (In a tab that shares its
/// session and is not the renewer: gets the renewer's next pair instead.)
/// False when the server refuses it (the session has ended); throws when the server
/// could not answer (down, or failing) or the session is no longer the page's, which
/// ends nothing.
function reissue() {
  if (reissuing) return reissuing;
  const session = auth;
  const attempt = (async () => {
    // A newer pair of the session came from another tab meanwhile: that is the renewal.
    // Another session altogether (signed out, or in again): this one is nobody's now.
    const renewedMeanwhile = () => {
      if (auth === session) return false;
      if (auth?.sessionId === session.sessionId && auth.generation > session.generation) return true;
      throw new Error('reissue: signed out meanwhile');
    };
    joinSession();
    await sharing?.settled;
    if (renewedMeanwhile()) return true;
    if (sharing && !sharing.renewer) return askRenewer(session);
    if (sharing) {
      await catchUpWithTabs(session);
      if (renewedMeanwhile()) return true;
    }
    let response;
    try {
      response = await fetch(`${API}/auth/reissue`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ refreshToken: session.refreshToken }),
      });
    } catch {
      throw new Unreachable();
    }
    if (response.status >= 500) throw new Error(`reissue: ${response.status}`);
    if (!response.ok) return false;
    const next = await response.json();
    // Signed out meanwhile (or someone else signed in): this answer is nobody's now,
    // and whoever is signed in keeps their session.
    if (auth !== session) throw new Error('reissue: signed out meanwhile');
    setSession(next, session);
    tellTabs({ type: 'renewed', session: auth });
    return true;
  })();
  reissuing = attempt;
  const done = () => {
    if (reissuing === attempt) reissuing = null; // not a later one, for someone else
  };
  attempt.then(done, done);
  return attempt;
}

/// An access token's lifetime, for a session stored before the page kept it.
const DEFAULT_TOKEN_LIFETIME_MS = 15 * 60_000;
const tokenLifetime = () => auth?.lifetimeMs ?? DEFAULT_TOKEN_LIFETIME_MS;

/// The access token, renewed first when a quarter of its lifetime or less is left.
async function freshToken() {
  if (auth && auth.expiresAt - Date.now() < tokenLifetime() / 4 && !(await reissue())) {
    signOut('Your session has ended: log in again.');
  }
  return auth?.accessToken;
}

/// One REST call: JSON in and out, the access token renewed once on a 401.
async function api(method, path, body, retry = true) {
  const headers = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (auth) headers.Authorization = `Bearer ${auth.accessToken}`;
  let response;
  try {
    response = await fetch(API + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new Unreachable();
  }
  if (response.status === 401 && auth && retry) {
    if (await reissue()) return api(method, path, body, false);
    signOut('Your session has ended: log in again.');
  }
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!response.ok) throw new ApiError(response.status, json?.code, json?.message ?? response.statusText);
  return json;
}

// ---------------------------------------------------------------- state

const rooms = new Map(); // id -> the room summary from GET /rooms, kept up to date live
let roomsCursor = null;
let openRoom = null; // the RoomView on screen
const presence = new Map(); // member id -> {online, lastSeenAt}, from GET .../presence and live events
let stomp = null;
const roomSubscriptions = new Map(); // room id -> stompjs subscription

// ---- who is who
//
// Members are named (as senders, in system lines, in room names) from one cache, filled
// from everything the page gets anyway: rooms' members, friends, my own profile. An id
// none of these named (a member who has left, someone in a group bigger than the list's
// preview of its members) is looked up with GET /members?ids=, the ids wanted by one
// rendering together, and what names them is drawn again once the answer is in.

const nicknames = new Map(); // member id -> nickname, as last heard
const namesWanted = new Set(); // to look up, on the next round
const namesAsked = new Set(); // looked up already, or on their way: one look-up each
const NAMES_PER_LOOKUP = 100; // the most `GET /members?ids=` takes

/// Takes the nicknames of `people`, whose ids are in `idKey` (`memberId` in a room's
/// members and in friends, `id` in members).
function learnNames(people, idKey = 'memberId') {
  for (const person of people ?? []) nicknames.set(person[idKey], person.nickname);
}

/// A member's nickname; until it is known, `member <id>` (and it is looked up).
function nameOf(id) {
  const known = nicknames.get(id);
  if (known !== undefined) return known;
  if (id != null && !namesAsked.has(id)) {
    if (namesWanted.size === 0) setTimeout(lookUpNames);
    namesWanted.add(id);
  }
  return `member ${id}`;
}

async function lookUpNames() {
  const ids = [...namesWanted];
  namesWanted.clear();
  if (!auth || ids.length === 0) return;
  const who = me();
  let learned = false;
  for (let at = 0; at < ids.length; at += NAMES_PER_LOOKUP) {
    const batch = ids.slice(at, at + NAMES_PER_LOOKUP);
    for (const id of batch) namesAsked.add(id);
    try {
      const page = await api('GET', `/members?ids=${batch.join(',')}`);
      if (me() !== who) return; // signed out meanwhile
      learnNames(page.items, 'id');
      learned ||= page.items.length > 0;
    } catch (error) {
      console.warn('names:', error);
      for (const id of batch) namesAsked.delete(id); // asked again when next shown
    }
  }
  // Ids the server does not know (accounts closed) stay `member <id>`, and are not asked again.
  if (learned) {
    renderRooms();
    openRoom?.renderNames();
  }
}

function forgetNames() {
  nicknames.clear();
  namesWanted.clear();
  namesAsked.clear();
}

function roomName(room) {
  if (room.name) return room.name;
  // A 1:1 room is named after the other of the two, also while they are out of it.
  if (room.type === 'direct' && room.peerId != null) return nameOf(room.peerId);
  const others = (room.members ?? []).filter((m) => m.memberId !== me());
  if (others.length === 0) return 'Just me';
  const names = others.map((m) => nameOf(m.memberId)).join(', ');
  const hidden = (room.memberCount ?? others.length + 1) - 1 - others.length;
  return hidden > 0 ? `${names} +${hidden}` : names;
}

/// A 1:1 room whose other member has left it. A message in it (from me, or from them
/// on another device of theirs) brings them back, which no event tells.
const peerAway = (room) =>
  room.type === 'direct' && room.peerId != null && !(room.members ?? []).some((m) => m.memberId === room.peerId);

/// After a message in a 1:1 room the other had left: the room is read again, so that its
/// member count, and the unread numbers beside its messages, count them again.
async function peerMayBeBack(roomId) {
  if (openRoom?.id === roomId && openRoom.detail) {
    if (peerAway(openRoom.detail)) openRoom.refreshMembers(); // which updates the list too
    return;
  }
  const listed = rooms.get(roomId);
  if (!listed || !peerAway(listed)) return;
  try {
    const detail = await api('GET', `/rooms/${roomId}`);
    takeDirectMembers(detail);
  } catch (error) {
    console.warn('room:', error);
  }
}

/// A 1:1 room's members, from its detail, onto its entry in the list (a group's entry
/// keeps the server's preview of its members).
function takeDirectMembers(detail) {
  const listed = rooms.get(detail.id);
  learnNames(detail.members);
  if (!listed || detail.type !== 'direct') return;
  listed.members = detail.members;
  listed.memberCount = detail.members.length;
  renderRooms();
}

/// A system message's event ({event, memberId, ...}), or null for one that is not JSON.
function systemEvent(body) {
  try {
    return JSON.parse(body);
  } catch {
    return null;
  }
}

function describeSystem(body) {
  const event = systemEvent(body);
  if (!event) return body;
  const who = nameOf;
  switch (event.event) {
    case 'created':
      return `${who(event.by)} opened the room`;
    case 'invited':
      return `${who(event.by)} invited ${(event.memberIds ?? []).map(who).join(', ')}`;
    case 'renamed':
      return event.name ? `${who(event.by)} named the room “${event.name}”` : `${who(event.by)} cleared the name`;
    case 'left':
      return `${who(event.memberId)} left`;
    default:
      return event.event ?? 'room event';
  }
}

function previewOf(room) {
  const message = room.lastMessage;
  if (!message) return 'No messages yet';
  if (message.type === 'image') return 'Photo';
  if (message.type === 'file') return 'File';
  if (message.type === 'system') return describeSystem(message.body);
  return message.body;
}

// ---------------------------------------------------------------- the room list

const byActivity = (a, b) => Date.parse(b.lastActivityAt) - Date.parse(a.lastActivityAt) || b.id - a.id;

function renderRooms() {
  const list = $('#rooms');
  const sorted = [...rooms.values()].sort(byActivity);
  list.replaceChildren(
    ...sorted.map((room) => {
      const name = roomName(room);
      const unread = room.unreadCount > 0 && openRoom?.id !== room.id;
      const avatar = el('span', { className: 'avatar', text: initial(name) });
      avatar.style.setProperty('--hue', hueOf(room.id));
      return el(
        'li',
        {
          className: openRoom?.id === room.id ? 'room-item active' : 'room-item',
          dataset: { testid: 'room-item', roomId: room.id },
        },
        el(
          'a',
          { href: `#/rooms/${room.id}` },
          avatar,
          el(
            'span',
            { className: 'room-text' },
            el(
              'span',
              { className: 'room-line' },
              el('span', { className: 'room-name', text: name, dataset: { testid: 'room-name' } }),
              room.muted
                ? el('span', {
                    className: 'muted-mark',
                    text: '🔕',
                    title: 'Muted',
                    role: 'img',
                    'aria-label': 'muted',
                    dataset: { testid: 'muted-mark' },
                  })
                : '',
              el('time', { className: 'room-time', text: shortTime(room.lastMessage?.createdAt ?? room.lastActivityAt) }),
            ),
            el(
              'span',
              { className: 'room-line' },
              el('span', {
                className: 'room-preview',
                text: previewOf(room),
                dir: 'auto',
                dataset: { testid: 'room-last' },
              }),
              unread
                ? el('span', {
                    className: room.muted ? 'badge quiet' : 'badge',
                    text: room.unreadCount > 999 ? '999+' : String(room.unreadCount),
                    dataset: { testid: 'unread-badge' },
                  })
                : '',
            ),
          ),
        ),
      );
    }),
  );
  $('#rooms-empty').hidden = rooms.size > 0;
  $('#more-rooms').hidden = !roomsCursor;
  // The tab's title calls for attention: not for rooms I muted, nor for the open room
  // while I look at it (while the tab is hidden, I do not). Rooms past the pages listed
  // may hold unread messages too, which only the server knows: then the number is said
  // as "at least" (12+) rather than understated. They are the rooms quiet the longest:
  // one with a new message comes to the top of the list.
  const looking = (room) => openRoom?.id === room.id && !document.hidden;
  const total = sorted.reduce((sum, room) => sum + (looking(room) || room.muted ? 0 : room.unreadCount), 0);
  document.title = total > 0 ? `(${total}${roomsCursor ? '+' : ''}) Modu` : 'Modu';
}

let loadingRooms = null;
let roomsAgain = false; // asked for while a load was on its way: its answer may be older
let moreAgain = false; // "More rooms", asked for while a load was on its way
const ROOMS_PAGE_SIZE = 50; // what "More rooms" adds
const MAX_PAGE_SIZE = 100; // the most the server gives in one page
const FEW_ROOMS = 10; // a page's size, past as many rooms as were shown, on the way down to the last one

/// GET /rooms, `size` of them after `cursor`.
const roomsPage = (size, cursor) =>
  api('GET', `/rooms?size=${size}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);

/// My rooms, anew: as many as the list shows (a page at least), and on down to the room
/// it shows last (rooms new to the list push that one down), so that a list grown with
/// "More rooms" stays that long. With `more`, the page after them.
async function loadRooms(more = false) {
  if (loadingRooms) {
    if (more) moreAgain = true;
    else roomsAgain = true;
    return loadingRooms;
  }
  loadingRooms = (async () => {
    try {
      for (;;) {
        roomsAgain = false;
        if (more && roomsCursor) {
          const page = await roomsPage(ROOMS_PAGE_SIZE, roomsCursor);
          for (const room of page.items) rooms.set(room.id, room);
          roomsCursor = page.nextCursor;
        } else {
          const wanted = Math.max(ROOMS_PAGE_SIZE, rooms.size);
          const lastShown = [...rooms.values()].sort(byActivity).at(-1);
          const listed = [];
          let cursor = null;
          const pastLastShown = () => !lastShown || !listed.length || byActivity(listed.at(-1), lastShown) >= 0;
          do {
            const size = Math.min(MAX_PAGE_SIZE, Math.max(FEW_ROOMS, wanted - listed.length));
            const page = await roomsPage(size, cursor);
            listed.push(...page.items);
            cursor = page.nextCursor;
          } while (cursor && (listed.length < wanted || !pastLastShown()));
          rooms.clear();
          for (const room of listed) rooms.set(room.id, room);
          roomsCursor = cursor;
        }
        for (const room of rooms.values()) learnNames(room.members);
        renderRooms();
        syncSubscriptions();
        if (roomsAgain) more = false;
        else if (moreAgain) [more, moreAgain] = [true, false];
        else break;
      }
    } catch (error) {
      console.warn('rooms:', error);
    } finally {
      loadingRooms = null;
      moreAgain = false; // not after a failure: the button is there to ask again
    }
  })();
  return loadingRooms;
}

/// The members with these emails, as an `<input type="email" multiple>` gives them
/// (separated by commas): an unknown one, or mine, is an error that names it.
async function othersByEmail(list) {
  const emails = [...new Set(list.split(',').map((email) => email.trim()).filter(Boolean))];
  if (emails.length === 0) throw new Error('Give an email.');
  return Promise.all(
    emails.map(async (email) => {
      const page = await api('GET', `/members?email=${encodeURIComponent(email)}`);
      const member = page.items[0];
      if (!member) throw new Error(`Nobody has the email ${email}.`);
      if (member.id === me()) throw new Error(`${email} is you: leave it out.`);
      nicknames.set(member.id, member.nickname);
      return member;
    }),
  );
}

/// Opens a room with these members, and lists it: one other is our 1:1 room (the same one
/// every time), more make a new group, named `name` if one is given. Answers its id.
async function openRoomWith(memberIds, name = '') {
  const body = { memberIds };
  if (memberIds.length > 1 && name) body.name = name;
  const room = await api('POST', '/rooms', body);
  await loadRooms();
  return room.id;
}

function showRoomOf(id) {
  location.hash = `#/rooms/${id}`;
}

// ---------------------------------------------------------------- friends

/// My friend list (`GET /friends`, by nickname) and the members I blocked: read when the
/// Friends tab is shown, and again, once it has been (`wanted`), on `friendAdded`, on a
/// reconnect and when the page comes back into view (blocks, hides and nicknames changed
/// elsewhere are told to nobody).
const emptyFriendList = () => ({ wanted: false, friends: [], blocked: [], cursor: null, failed: '' });
const friendList = { ...emptyFriendList(), asked: 0 };

function friendItem(friend, ...actions) {
  const avatar = el('span', { className: 'avatar', text: initial(friend.nickname) });
  avatar.style.setProperty('--hue', hueOf(friend.memberId));
  return el(
    'li',
    { className: 'friend-item', dataset: { testid: 'friend-item', memberId: friend.memberId } },
    avatar,
    el(
      'span',
      { className: 'room-text' },
      el('span', { className: 'room-name', text: friend.nickname, dataset: { testid: 'friend-name' } }),
      el('span', { className: 'room-preview', text: friend.statusMessage }),
    ),
    ...actions.map(([action, label]) =>
      el('button', { type: 'button', className: 'link', text: label, dataset: { action, testid: `friend-${action}` } }),
    ),
  );
}

function renderFriends() {
  $('#friends').replaceChildren(
    ...friendList.friends.map((friend) => friendItem(friend, ['chat', 'Chat'], ['block', 'Block'])),
  );
  $('#blocked').replaceChildren(...friendList.blocked.map((friend) => friendItem(friend, ['unblock', 'Unblock'])));
  $('#friends-empty').textContent = friendList.failed
    ? `The friend list could not be read: ${friendList.failed}`
    : 'No friends yet: add one by email above.';
  $('#friends-empty').hidden = friendList.friends.length > 0 && !friendList.failed;
  $('#more-friends').hidden = !friendList.cursor;
  $('#blocked-section').hidden = friendList.blocked.length === 0;
}

/// Every member I blocked, page after page: a short list for most, shown whole.
async function allBlocked() {
  const blocked = [];
  let cursor = '';
  do {
    const page = await api('GET', `/friends?type=blocked&size=100${cursor}`);
    blocked.push(...page.items);
    cursor = page.nextCursor && page.items.length ? `&cursor=${encodeURIComponent(page.nextCursor)}` : '';
  } while (cursor);
  return blocked;
}

/// The first page of friends and the blocked members, anew, or the next page with `more`.
/// Only the latest read is shown, so that one answered late does not put back a friend
/// just blocked. A next page does not count as a read of its own, so it cannot drop a
/// read begun before it (one begun after drops it), and it continues only the list it was
/// asked for: not one read anew meanwhile.
async function loadFriends(more = false) {
  const ticket = more ? friendList.asked : ++friendList.asked;
  const after = friendList.cursor;
  try {
    const cursor = more && after ? `&cursor=${encodeURIComponent(after)}` : '';
    const [page, blocked] = await Promise.all([
      api('GET', `/friends?size=100${cursor}`),
      more ? null : allBlocked(),
    ]);
    if (ticket !== friendList.asked || !auth || (more && friendList.cursor !== after)) return;
    friendList.friends = more ? [...friendList.friends, ...page.items] : page.items;
    if (blocked) friendList.blocked = blocked;
    learnNames(page.items);
    learnNames(blocked);
    friendList.cursor = page.nextCursor;
    friendList.failed = '';
    renderFriends();
  } catch (error) {
    console.warn('friends:', error);
    if (ticket !== friendList.asked || !auth) return;
    friendList.failed = error.message;
    renderFriends();
  }
}

function showTab(name) {
  for (const tab of ['rooms', 'friends']) {
    $(`#tab-${tab}`).setAttribute('aria-selected', String(tab === name));
    $(`#${tab}-panel`).hidden = tab !== name;
  }
  if (name === 'friends') {
    friendList.wanted = true;
    loadFriends();
  }
}

// ---------------------------------------------------------------- live: STOMP over /ws

function setConnection(state) {
  const badge = $('[data-testid="connection"]');
  badge.dataset.state = state;
  badge.textContent = state;
}

/// The live connection. The server ends one when its access token expires; a fifth of
/// the token's lifetime before that, a successor with a fresh token is opened beside it
/// and takes over once it is up, so that the page never goes quiet. What both bring
/// meanwhile is shown once: messages by seq, and the rest says the same thing twice.
function startLive() {
  stomp = liveClient();
  setConnection('connecting');
  stomp.activate();
}

let successor = null; // opened to take over from `stomp`, not connected yet
let retiring = null; // taken over from, kept until the successor's subscriptions are in place
let renewTimer = null;

function liveClient() {
  const { Client } = window.StompJs;
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const client = new Client({
    brokerURL: `${scheme}//${location.host}/ws`,
    reconnectDelay: 2000,
    heartbeatIncoming: 10000,
    heartbeatOutgoing: 10000,
    // A reconnect may come long after log-in: take a fresh access token each time.
    beforeConnect: async () => {
      const token = await freshToken().catch(() => auth?.accessToken);
      client.connectHeaders = { Authorization: `Bearer ${token}` };
      client.tokenExpiresAt = auth?.expiresAt ?? 0;
    },
    onConnect: () => {
      // A successor: the old connection goes once this one hears everything it did
      // (the server handles a connection's frames in order: the last SUBSCRIBE's
      // receipt says the others are in place), so no event falls between the two.
      const previous = client === stomp ? null : takeOver(client);
      roomSubscriptions.clear();
      setConnection('live');
      syncSubscriptions();
      const headers = { id: 'me' };
      if (previous) {
        retire(retiring); // an earlier one still waiting: enough of it
        retiring = previous;
        headers.receipt = `me-${randomId()}`;
        client.watchForReceipt(headers.receipt, () => retire(previous));
      }
      client.subscribe('/user/queue/events', onPersonalEvent, headers);
      loadRooms(); // counts moved while we were away
      if (friendList.wanted) loadFriends();
      openRoom?.resume();
      resendOutbox();
      scheduleRenewal(client);
    },
    onStompError: (frame) => {
      if (client !== stomp) return; // a successor's: it tries again by itself
      // The server closes the connection after an ERROR; stompjs reconnects.
      console.warn('STOMP ERROR:', frame.headers.message);
      if (frame.headers.code === 'UNAUTHORIZED' && auth) auth.expiresAt = 0; // renew before the next try
      // The open room's subscription refused: I left it while this page was not listening.
      if (frame.headers.code === 'FORBIDDEN' && frame.headers['receipt-id']?.startsWith(`sub-${openRoom?.id}-`)) {
        openRoom.gone();
      }
      sendFailed(frame.headers['receipt-id'], frame.headers.message);
    },
    onWebSocketClose: () => {
      if (client === successor) return; // not up yet: it tries again by itself
      if (client !== stomp) return retire(client); // replaced: no coming back
      roomSubscriptions.clear();
      // Gone before its successor was up: the successor is the connection now, trying.
      if (successor) retire(takeOver(successor));
      setConnection('reconnecting');
    },
  });
  return client;
}

/// `next` becomes the page's connection; returns the one before it, still open.
function takeOver(next) {
  const previous = stomp;
  stomp = next;
  successor = null;
  clearTimeout(renewTimer);
  return previous;
}

function retire(client) {
  if (client === retiring) retiring = null;
  client?.deactivate();
}

/// Not sooner than this after a connect, so that a renewal whose token could not be
/// renewed (the server failing) is not tried again at once, and again.
const MIN_RENEWAL_WAIT_MS = 30_000;

function scheduleRenewal(client) {
  clearTimeout(renewTimer);
  const due = client.tokenExpiresAt - tokenLifetime() / 5 - Date.now();
  renewTimer = setTimeout(
    () => {
      if (!auth || stomp !== client || !client.connected || successor) return;
      successor = liveClient();
      successor.activate();
    },
    Math.min(Math.max(MIN_RENEWAL_WAIT_MS, due), 2 ** 31 - 1),
  );
}

const connected = () => stomp?.connected === true;

/// Subscribes to the rooms on screen: the most recent ones of the list, and the open
/// room; lets go of the others, within the server's limit per connection.
function syncSubscriptions() {
  if (!connected()) return;
  const wanted = new Set([...rooms.values()].sort(byActivity).slice(0, MAX_ROOM_SUBSCRIPTIONS).map((r) => r.id));
  if (openRoom?.member) wanted.add(openRoom.id);
  for (const [id, subscription] of roomSubscriptions) {
    if (!wanted.has(id)) {
      subscription.unsubscribe();
      roomSubscriptions.delete(id);
    }
  }
  for (const id of wanted) {
    if (roomSubscriptions.has(id)) continue;
    const receipt = `sub-${id}-${randomId()}`;
    // Whatever was sent before the subscription took hold is fetched once it has.
    stomp.watchForReceipt(receipt, () => {
      if (openRoom?.id === id) openRoom.catchUp();
    });
    roomSubscriptions.set(
      id,
      stomp.subscribe(`/topic/rooms/${id}`, (frame) => onRoomEvent(id, frame), { id: `room-${id}`, receipt }),
    );
  }
}

function onRoomEvent(roomId, frame) {
  const body = JSON.parse(frame.body);
  switch (frame.headers.event) {
    case 'message':
      onLiveMessage(roomId, body);
      break;
    case 'read':
      if (openRoom?.id === roomId) openRoom.readMoved(body.memberId, body.readSeq);
      break;
    case 'typing':
      if (openRoom?.id === roomId && body.memberId !== me()) openRoom.showTyping(body.memberId);
      break;
    default:
      break;
  }
}

function onLiveMessage(roomId, message) {
  const room = rooms.get(roomId);
  if (room) {
    const last = room.lastMessage?.seq ?? 0;
    if (message.seq > last) {
      if (!seeingNewest(roomId) && message.senderId !== me()) room.unreadCount += 1;
      room.lastMessage = message;
      room.lastActivityAt = message.createdAt;
      renderRooms();
    }
  } else {
    loadRooms();
  }
  // Who is in it changed: the list's name and member preview come from the server.
  if (message.type === 'system' && ['invited', 'left'].includes(systemEvent(message.body)?.event)) loadRooms();
  if (openRoom?.id === roomId) openRoom.arrived(message);
  if (message.type !== 'system') peerMayBeBack(roomId);
}

/// My own events: my read position moved (here or on another device); my unread count in
/// a room changed with its newest message (also for rooms whose topic is not watched); a
/// room was opened with me, changed, or I left it (the list is read again); anything
/// about a room the list does not know yet.
function onPersonalEvent(frame) {
  const body = JSON.parse(frame.body);
  if (frame.headers.event === 'friendAdded') {
    if (friendList.wanted) loadFriends(); // mine, here or on another device
    return;
  }
  if (frame.headers.event === 'presence') {
    presence.set(body.memberId, body);
    openRoom?.renderSubtitle();
    return;
  }
  const room = rooms.get(body.roomId);
  if (frame.headers.event === 'left' && body.memberId === me() && openRoom?.id === body.roomId) openRoom.gone();
  if (!room || ['joined', 'left', 'roomChanged'].includes(frame.headers.event)) {
    if (body.roomId !== undefined) loadRooms();
    if (frame.headers.event === 'roomChanged' && openRoom?.id === body.roomId) openRoom.refreshMembers();
    return;
  }
  if (frame.headers.event === 'read' && body.memberId === me()) {
    room.readSeq = Math.max(room.readSeq ?? 0, body.readSeq);
    room.unreadCount = body.unreadCount;
    renderRooms();
  }
  // Older than what the room's topic already brought: nothing new.
  if (frame.headers.event === 'unread' && body.lastSeq >= (room.lastMessage?.seq ?? 0)) {
    // Counted from where I had read when it was sent; a read marker of mine (from here or
    // another device) may have come first and be further on.
    room.readSeq = Math.max(room.readSeq ?? 0, body.readSeq);
    if (!seeingNewest(room.id)) room.unreadCount = Math.max(0, body.lastSeq - room.readSeq);
    room.lastMessage = body.lastMessage;
    room.lastActivityAt = body.lastMessage.createdAt;
    renderRooms();
    peerMayBeBack(room.id);
  }
}

// ---------------------------------------------------------------- my unsent messages

/// What I sent and the server has not confirmed yet, by room: each entry is
/// {roomId, clientMsgId, body, state: 'sending' | 'waiting' | 'failed', reason}.
const outbox = new Map(); // room id -> Map(clientMsgId -> entry)

function outboxOf(roomId) {
  let box = outbox.get(roomId);
  if (!box) {
    box = new Map();
    outbox.set(roomId, box);
  }
  return box;
}

const inOutbox = (entry) => outbox.get(entry.roomId)?.get(entry.clientMsgId) === entry;

function setState(entry, state, reason = '') {
  if (!inOutbox(entry)) return; // stored (or given up) meanwhile, by another way
  entry.state = state;
  entry.reason = reason;
  if (openRoom?.id === entry.roomId) openRoom.showPending(entry);
}

/// Stored, or given up: off the outbox, and off the open room's pending list.
function takeOut(roomId, clientMsgId) {
  outbox.get(roomId)?.delete(clientMsgId);
  if (openRoom?.id === roomId) openRoom.dropPending(clientMsgId);
}

/// Sends over STOMP with a receipt (the receipt comes once the message is stored), or
/// over REST while the connection is down, or when asked to: a refused SEND ends the
/// connection (STOMP's ERROR), a refused POST only that message.
function transmit(entry, { overRest = false } = {}) {
  const { roomId, clientMsgId } = entry;
  setState(entry, 'sending');
  const body = { type: 'text', body: entry.body, clientMsgId };
  if (connected() && !overRest) {
    const receipt = `send-${clientMsgId}`;
    stomp.watchForReceipt(receipt, () => {
      if (openRoom?.id !== roomId) return takeOut(roomId, clientMsgId);
      // Stored. Its MESSAGE normally comes first and shows it; if not, fetch it, and
      // take it off the list all the same: it may be older than the page on screen.
      setTimeout(() => {
        if (!outboxOf(roomId).has(clientMsgId)) return;
        const fetched = openRoom?.id === roomId ? openRoom.catchUp() : Promise.resolve();
        fetched.finally(() => takeOut(roomId, clientMsgId));
      }, 1000);
    });
    stomp.publish({ destination: `/app/rooms/${roomId}/messages`, body: JSON.stringify(body), headers: { receipt } });
    return;
  }
  api('POST', `/rooms/${roomId}/messages`, body)
    .then((message) => {
      if (openRoom?.id === roomId) openRoom.arrived(message); // which takes it off the list
      else takeOut(roomId, clientMsgId);
      peerMayBeBack(roomId);
    })
    .catch((error) => {
      if (error instanceof ApiError && error.status < 500) {
        sendFailed(`send-${clientMsgId}`, error.message);
      } else if (entry.state === 'sending') {
        // The server was not reached: sent again when the connection is back.
        setState(entry, 'waiting');
      }
    });
}

/// After a reconnect: everything not refused goes again, in every room, over REST: one
/// for a room I have left meanwhile is refused alone, not with the connection.
function resendOutbox() {
  for (const box of outbox.values()) {
    for (const entry of box.values()) if (entry.state !== 'failed') transmit(entry, { overRest: true });
  }
}

/// The server refused a send (an ERROR frame naming its receipt, or a REST error).
function sendFailed(receipt, reason) {
  if (!receipt?.startsWith('send-')) return;
  const clientMsgId = receipt.slice('send-'.length);
  for (const box of outbox.values()) {
    const entry = box.get(clientMsgId);
    if (entry) return setState(entry, 'failed', reason);
  }
}

// ---------------------------------------------------------------- a room

const messagesBox = () => $('#messages');

function nearBottom() {
  const box = messagesBox();
  return box.scrollHeight - box.scrollTop - box.clientHeight < 80;
}

function scrollToBottom() {
  const box = messagesBox();
  box.scrollTop = box.scrollHeight;
}

/// Whether I see the newest messages of room `roomId`: it is open, in view, and not
/// scrolled up into its history.
const seeingNewest = (roomId) => openRoom?.id === roomId && !document.hidden && nearBottom();

/// Shown while new messages came below what I am reading, further up: they are read
/// once scrolled to. (Made here: it belongs to the messages' scroller, at its foot.)
const newBelow = el('button', {
  type: 'button',
  className: 'new-below',
  text: 'New messages below ↓',
  hidden: true,
  dataset: { testid: 'new-below' },
});
newBelow.addEventListener('click', scrollToBottom); // and the scroll marks them read
messagesBox().append(newBelow);

/// One open room: its messages by seq, its members' read positions, my pending sends.
class RoomView {
  constructor(id) {
    this.id = id;
    this.member = false; // known to be mine once GET /rooms/{id} answered
    this.byseq = new Map(); // seq -> {message, node}
    this.seqs = []; // ascending
    this.olderCursor = null;
    this.loading = false;
    this.loaded = false;
    this.early = []; // live messages that came before the first page
    this.loadingOlder = false;
    this.catchingUp = null;
    this.catchUpAgain = false;
    this.readSeqs = new Map(); // member id -> read seq
    this.pendingNodes = new Map(); // clientMsgId -> the outbox entry's node on screen
    this.detailAsked = 0; // requests made for the room's detail (see `detailFrom`)
    this.detailTaken = 0; // the latest of them whose answer was taken
    this.sentRead = 0;
    this.readTimer = null;
    this.typingTimers = new Map();
    this.closed = false;
  }

  get newest() {
    return this.seqs.length ? this.seqs[this.seqs.length - 1] : 0;
  }

  get oldest() {
    return this.seqs.length ? this.seqs[0] : 0;
  }

  open() {
    $('#message-list').replaceChildren();
    $('#pending-list').replaceChildren();
    $('#typing').textContent = '';
    $('#composer-error').textContent = '';
    closeRoomMenu();
    $('#room-menu-toggle').hidden = true; // until the room's detail says what it offers
    $('#send-form').hidden = false;
    newBelow.hidden = true;
    $('#room-title').textContent = rooms.has(this.id) ? roomName(rooms.get(this.id)) : '';
    $('#room-subtitle').textContent = '';
    for (const entry of outboxOf(this.id).values()) this.showPending(entry);
    this.load();
  }

  /// The room's detail and its latest page. Again, when they could not be had (the
  /// server down): on a reconnect, and on a click on the room in the list.
  async load() {
    if (this.loaded || this.loading || this.closed) return;
    this.loading = true;
    $('#history-status').textContent = 'Loading…';
    let page;
    try {
      [, page] = await Promise.all([
        this.detailFrom('GET', `/rooms/${this.id}`),
        api('GET', `/rooms/${this.id}/messages?size=${PAGE_SIZE}`),
      ]);
    } catch (error) {
      if (!this.closed) this.showLoadFailure(error);
      return;
    } finally {
      this.loading = false;
    }
    if (this.closed) return;
    this.member = true;
    $('#send-form').hidden = false; // hidden by an earlier failure, say (I was not in it then)
    for (const message of page.items) this.add(message);
    this.olderCursor = this.oldest > 1 ? page.nextCursor : null;
    this.loaded = true;
    this.showHistoryStatus();
    scrollToBottom();
    syncSubscriptions();
    for (const message of this.early.splice(0)) this.arrived(message);
    this.scheduleRead();
    this.fillView();
  }

  showLoadFailure(error) {
    const status = $('#history-status');
    if (error instanceof Unreachable) {
      status.textContent = 'Cannot reach the server; the room opens once it is back.';
    } else if (error instanceof ApiError && (error.status === 403 || error.status === 404)) {
      // Not mine (a link to someone else's room, or one I have left): nothing to write to.
      status.textContent = 'You are not in this room.';
      $('#send-form').hidden = true;
    } else {
      status.textContent = `This room cannot be shown: ${error.message}`;
    }
  }

  /// Whether a message typed here can go: the room is mine once its detail came, or when
  /// my list has it (then it goes, or waits in the outbox, while the room is loading).
  canSend() {
    return this.member || rooms.has(this.id);
  }

  /// I left it on another device: it is no longer mine to show, nor to subscribe to.
  /// Closed at once, so that nothing still on its way (a page, a reconnect) revives it.
  gone() {
    if (this.closed) return;
    this.member = false;
    this.close();
    history.replaceState(null, '', '#/rooms');
    route();
  }

  /// A room the server says is not mine (403) or not there (404) any more: I left it
  /// while this page was not listening.
  goneIf(error) {
    if (error instanceof ApiError && (error.status === 403 || error.status === 404)) this.gone();
  }

  close() {
    this.closed = true;
    clearTimeout(this.readTimer);
    for (const timer of this.typingTimers.values()) clearTimeout(timer);
  }

  /// Asks for the room, or changes it (`POST .../members`, `PATCH`), and takes the member
  /// list of the answer, unless the answer to a later request was taken already: a read
  /// answered late must not undo an invite or a rename.
  async detailFrom(method, path, body) {
    const ticket = ++this.detailAsked;
    const detail = await api(method, path, body);
    if (!this.closed && ticket > this.detailTaken) {
      this.detailTaken = ticket;
      this.takeMembers(detail);
    }
    return detail;
  }

  takeMembers(detail) {
    this.detail = detail;
    // Read positions only move on; a `read` event may have come after the answer was made.
    this.readSeqs = new Map(
      detail.members.map((m) => [m.memberId, Math.max(m.readSeq, this.readSeqs.get(m.memberId) ?? 0)]),
    );
    takeDirectMembers(detail); // which learns their names
    // Names change: one just invited was not known when its line came.
    this.renderNames();
    $('#room-menu-toggle').hidden = false;
    showMuted(detail.members.find((m) => m.memberId === me())?.muted === true);
    $('#rename-form').hidden = detail.type !== 'group'; // a 1:1 room has no name of its own
    // The value a reset goes back to; it shows unless the field is being edited.
    $('#rename-form').roomName.defaultValue = detail.name ?? '';
    this.renderSubtitle();
    this.refreshUnreadNumbers();
    const other = this.otherMember();
    if (other && !presence.has(other.memberId)) {
      // After this, the live `presence` events keep it up to date.
      api('GET', `/members/${other.memberId}/presence`)
        .then((state) => {
          if (!presence.has(other.memberId)) presence.set(other.memberId, state);
          if (!this.closed) this.renderSubtitle();
        })
        .catch((error) => console.warn('presence:', error));
    }
  }

  /// In a 1:1 room, the other member.
  otherMember() {
    if (this.detail?.type === 'group') return null;
    return this.detail?.members.find((m) => m.memberId !== me()) ?? null;
  }

  /// What shows members' names: the title, the subtitle, senders and system lines.
  renderNames() {
    if (!this.detail || this.closed) return;
    // From the room itself: the list's copy may not have heard of a rename yet.
    $('#room-title').textContent = roomName({ ...this.detail, memberCount: this.detail.members.length });
    this.renderSubtitle();
    for (const { message, node } of this.byseq.values()) {
      if (message.type === 'system') node.textContent = describeSystem(message.body);
      else node.querySelector('.sender').textContent = nameOf(message.senderId);
    }
  }

  /// A group's size; in a 1:1 room, who it is with and whether they are online.
  renderSubtitle() {
    if (!this.detail || this.closed) return;
    const subtitle = $('#room-subtitle');
    const other = this.otherMember();
    subtitle.classList.remove('online');
    if (!other && peerAway(this.detail)) {
      subtitle.textContent = `${nameOf(this.detail.peerId)} left this room`;
      return;
    }
    if (!other) {
      const count = this.detail.members.length;
      subtitle.textContent = `${count} ${count === 1 ? 'member' : 'members'}`;
      return;
    }
    const state = presence.get(other.memberId);
    const seen = state?.online ? 'online' : state?.lastSeenAt ? `last seen ${shortTime(state.lastSeenAt)}` : '';
    const name = nameOf(other.memberId);
    subtitle.textContent = seen ? `${name} · ${seen}` : name;
    subtitle.classList.toggle('online', state?.online === true);
  }

  async refreshMembers() {
    try {
      await this.detailFrom('GET', `/rooms/${this.id}`);
    } catch (error) {
      console.warn('room:', error);
      this.goneIf(error);
    }
  }

  /// After a reconnect: what was sent meanwhile, and who read what (my unsent messages
  /// go again with the rest of the outbox).
  resume() {
    if (!this.loaded) return this.load(); // it could not be, while the server was away
    this.catchUp();
    this.refreshMembers();
  }

  /// Number of members who have not read message `seq` yet. Not me while the page is in
  /// view: I am looking at it (my read marker is on its way). In another tab, I have not.
  unreadFor(message) {
    if (this.readSeqs.size === 0) return message.unreadMemberCount ?? 0;
    const looking = !document.hidden;
    let count = 0;
    for (const [memberId, readSeq] of this.readSeqs) {
      if (readSeq < message.seq && !(looking && memberId === me())) count += 1;
    }
    return count;
  }

  /// Puts a message in its place by seq; a seq already shown is left alone.
  add(message) {
    if (this.byseq.has(message.seq)) return false;
    if (message.senderId === me() && message.clientMsgId) takeOut(this.id, message.clientMsgId);
    // Sending moves the sender's read position to what they sent, and the server tells
    // no one (no `read` event): so the messages before it have one reader more.
    if (message.senderId != null && (this.readSeqs.get(message.senderId) ?? Infinity) < message.seq) {
      this.readMoved(message.senderId, message.seq);
    }
    const node = this.render(message);
    let at = this.seqs.length;
    while (at > 0 && this.seqs[at - 1] > message.seq) at -= 1; // live messages land at the end
    if (at === this.seqs.length) {
      $('#message-list').append(node);
    } else {
      this.byseq.get(this.seqs[at]).node.before(node);
    }
    this.seqs.splice(at, 0, message.seq);
    this.byseq.set(message.seq, { message, node });
    this.groupWithPrevious(at);
    if (at + 1 < this.seqs.length) this.groupWithPrevious(at + 1);
    if (message.senderId != null) this.hideTyping(message.senderId);
    return true;
  }

  /// A message from the same sender within a few minutes of the previous one goes
  /// without the sender's name.
  groupWithPrevious(index) {
    const { message, node } = this.byseq.get(this.seqs[index]);
    const previous = index > 0 ? this.byseq.get(this.seqs[index - 1]).message : null;
    const together =
      previous &&
      previous.type !== 'system' &&
      previous.senderId === message.senderId &&
      Date.parse(message.createdAt) - Date.parse(previous.createdAt) < 5 * 60_000;
    node.classList.toggle('continued', Boolean(together));
  }

  render(message) {
    if (message.type === 'system') {
      return el('li', {
        className: 'msg system',
        dataset: { testid: 'message', seq: message.seq },
        text: describeSystem(message.body),
      });
    }
    const mine = message.senderId === me();
    const sender = nameOf(message.senderId);
    const body =
      message.type === 'text'
        ? message.body
        : message.type === 'image'
          ? `Photo: ${message.body}`
          : `File: ${message.body}`;
    const unread = this.unreadFor(message);
    return el(
      'li',
      { className: mine ? 'msg mine' : 'msg theirs', dataset: { testid: 'message', seq: message.seq } },
      el('span', { className: 'sender', text: sender, dataset: { testid: 'message-sender' } }),
      el(
        'span',
        { className: 'line' },
        el('span', { className: 'bubble', text: body, dir: 'auto', dataset: { testid: 'message-body' } }),
        el(
          'span',
          { className: 'meta' },
          el('span', {
            className: 'unread',
            text: unread > 0 ? String(unread) : '',
            dataset: { testid: 'unread-members' },
            title: 'members who have not read it yet',
          }),
          el('time', { datetime: message.createdAt, text: messageTime(message.createdAt) }),
        ),
      ),
    );
  }

  setUnreadNumber(entry) {
    const number = entry.node.querySelector('.unread');
    if (!number) return;
    const unread = this.unreadFor(entry.message);
    number.textContent = unread > 0 ? String(unread) : '';
  }

  refreshUnreadNumbers() {
    for (const entry of this.byseq.values()) this.setUnreadNumber(entry);
  }

  /// Someone's read position moved: the messages between the old and new one have one
  /// reader more.
  readMoved(memberId, readSeq) {
    const before = this.readSeqs.get(memberId);
    if (before !== undefined && readSeq <= before) return;
    this.readSeqs.set(memberId, readSeq);
    if (before === undefined) {
      this.refreshUnreadNumbers(); // someone new: count everything again
      return;
    }
    for (const seq of this.seqs) {
      if (seq > before && seq <= readSeq) this.setUnreadNumber(this.byseq.get(seq));
    }
  }

  /// A live message for this room.
  arrived(message) {
    if (!this.loaded) {
      this.early.push(message);
      return;
    }
    if (this.byseq.has(message.seq)) return;
    if (this.newest > 0 && message.seq > this.newest + 1) {
      this.catchUp(); // something in between was missed: fetch it all in order
      return;
    }
    if (message.type === 'system') {
      const { event, memberId } = systemEvent(message.body) ?? {};
      if (event === 'left' && memberId === me()) return this.gone(); // it comes before my own `left`
    }
    const follow = nearBottom() || message.senderId === me();
    this.add(message);
    if (follow) scrollToBottom();
    if (message.type === 'system') this.refreshMembers();
    if (this.seqs.length === 1) this.showHistoryStatus();
    this.scheduleRead();
  }

  /// Pages `after=` the newest seq held until there is nothing newer.
  async catchUp() {
    if (!this.loaded || this.closed) return;
    if (this.catchingUp) {
      this.catchUpAgain = true;
      return;
    }
    this.catchingUp = true;
    try {
      do {
        this.catchUpAgain = false;
        let after = this.newest;
        for (;;) {
          const page = await api('GET', `/rooms/${this.id}/messages?after=${after}&size=${CATCH_UP_SIZE}`);
          if (this.closed) return;
          const follow = nearBottom();
          for (const message of page.items) this.add(message);
          if (follow) scrollToBottom();
          if (page.nextCursor == null || page.items.length === 0) break;
          after = page.nextCursor;
        }
      } while (this.catchUpAgain);
      this.showHistoryStatus();
      this.scheduleRead();
    } catch (error) {
      console.warn('catch-up:', error);
      this.goneIf(error);
    } finally {
      this.catchingUp = false;
    }
  }

  showHistoryStatus() {
    const status = $('#history-status');
    if (this.loadingOlder) status.textContent = 'Loading older messages…';
    else if (this.olderCursor != null) status.textContent = '';
    else if (this.seqs.length) status.textContent = 'The beginning of the conversation';
    else status.textContent = 'No messages yet: say hello';
  }

  /// Scrolling up to the top loads the page before the oldest message held.
  async loadOlder() {
    if (!this.loaded || this.loadingOlder || this.olderCursor == null) return;
    this.loadingOlder = true;
    this.showHistoryStatus();
    try {
      const page = await api('GET', `/rooms/${this.id}/messages?before=${this.olderCursor}&size=${PAGE_SIZE}`);
      if (this.closed) return;
      const box = messagesBox();
      const fromBottom = box.scrollHeight - box.scrollTop;
      for (const message of page.items) this.add(message);
      box.scrollTop = box.scrollHeight - fromBottom; // keep what the reader was looking at in place
      this.olderCursor = page.items.length && this.oldest > 1 ? page.nextCursor : null;
    } catch (error) {
      console.warn('older messages:', error);
    } finally {
      this.loadingOlder = false;
      if (!this.closed) this.showHistoryStatus();
    }
    this.fillView();
  }

  /// Loads older pages while the messages do not fill the view (nothing to scroll yet).
  fillView() {
    const box = messagesBox();
    if (!this.closed && this.olderCursor != null && box.scrollHeight <= box.clientHeight) this.loadOlder();
  }

  onScroll() {
    if (messagesBox().scrollTop < 120) this.loadOlder();
    if (nearBottom()) this.scheduleRead();
  }

  /// Marks the newest message read, a little later, so that a burst costs one frame.
  scheduleRead() {
    if (this.readTimer || this.closed) return;
    this.readTimer = setTimeout(() => {
      this.readTimer = null;
      this.markRead();
    }, 200);
  }

  markRead() {
    if (this.closed || document.hidden || !this.loaded) return;
    const seq = this.newest;
    if (!nearBottom()) {
      newBelow.hidden = seq <= this.sentRead; // read up to there, or not: they wait below
      return;
    }
    newBelow.hidden = true;
    const room = rooms.get(this.id);
    if (room && room.unreadCount !== 0) {
      room.unreadCount = 0;
      renderRooms();
    }
    if (seq <= this.sentRead) return;
    this.sentRead = seq;
    if (connected()) {
      stomp.publish({ destination: `/app/rooms/${this.id}/read`, body: JSON.stringify({ seq }) });
    } else {
      api('POST', `/rooms/${this.id}/read`, { seq }).catch(() => {
        this.sentRead = 0;
      });
    }
  }

  send(text) {
    const entry = { roomId: this.id, clientMsgId: randomId(), body: text, state: 'sending', reason: '' };
    outboxOf(this.id).set(entry.clientMsgId, entry);
    transmit(entry);
    scrollToBottom();
  }

  /// An outbox entry of this room, on the pending list in its present state.
  showPending(entry) {
    if (this.closed) return;
    let node = this.pendingNodes.get(entry.clientMsgId);
    if (!node) {
      node = el(
        'li',
        { className: 'msg mine pending', dataset: { testid: 'pending-message' } },
        el(
          'span',
          { className: 'line' },
          el('span', { className: 'bubble', text: entry.body, dir: 'auto' }),
          el('span', { className: 'meta' }, el('span', { className: 'state' })),
        ),
      );
      this.pendingNodes.set(entry.clientMsgId, node);
      $('#pending-list').append(node);
    }
    node.classList.toggle('failed', entry.state === 'failed');
    const state = node.querySelector('.state');
    if (entry.state === 'sending') state.replaceChildren('sending…');
    else if (entry.state === 'waiting') state.replaceChildren('waiting for the connection…');
    else state.replaceChildren(`not sent: ${entry.reason} `, this.retryButton(entry), ' ', this.discardButton(entry));
  }

  retryButton(entry) {
    const retry = el('button', { type: 'button', className: 'link', text: 'retry' });
    retry.addEventListener('click', () => transmit(entry));
    return retry;
  }

  discardButton(entry) {
    const discard = el('button', { type: 'button', className: 'link', text: 'delete' });
    discard.addEventListener('click', () => takeOut(this.id, entry.clientMsgId));
    return discard;
  }

  dropPending(clientMsgId) {
    this.pendingNodes.get(clientMsgId)?.remove();
    this.pendingNodes.delete(clientMsgId);
  }

  typed() {
    const now = Date.now();
    if (!connected() || now - (this.typedAt ?? 0) < TYPING_EVERY_MS) return;
    this.typedAt = now;
    stomp.publish({ destination: `/app/rooms/${this.id}/typing`, body: '' });
  }

  showTyping(memberId) {
    clearTimeout(this.typingTimers.get(memberId));
    this.typingTimers.set(
      memberId,
      setTimeout(() => this.hideTyping(memberId), TYPING_SHOWN_MS),
    );
    this.renderTyping();
  }

  hideTyping(memberId) {
    if (!this.typingTimers.has(memberId)) return;
    clearTimeout(this.typingTimers.get(memberId));
    this.typingTimers.delete(memberId);
    this.renderTyping();
  }

  renderTyping() {
    const names = [...this.typingTimers.keys()].map((id) => nicknames.get(id) ?? 'someone');
    $('#typing').textContent = names.length ? `${names.join(', ')} ${names.length > 1 ? 'are' : 'is'} typing…` : '';
  }
}

// ---------------------------------------------------------------- screens and routing

function showAuth(mode, error = '') {
  $('#chat').hidden = true;
  $('#auth').hidden = false;
  $('#login-form').hidden = mode !== 'login';
  $('#signup-form').hidden = mode !== 'signup';
  $('[data-testid="auth-error"]').textContent = error;
  (mode === 'login' ? $('[data-testid="login-email"]') : $('[data-testid="signup-email"]')).focus();
}

let started = false;

function startChat() {
  if (started) return;
  started = true;
  $('#auth').hidden = true;
  $('#chat').hidden = false;
  const nickname = auth.member.nickname;
  nicknames.set(me(), nickname);
  $('[data-testid="me"]').textContent = nickname;
  $('#me-avatar').textContent = initial(nickname);
  $('#me-avatar').style.setProperty('--hue', hueOf(me()));
  joinSession();
  loadRooms();
  startLive();
}

/// Ends the session on this page and, unless told of it by one (`tellTabs: false`), in
/// the other tabs that share it.
function signOut(message = '', { tellTabs: tell = true } = {}) {
  if (tell && auth) tellTabs({ type: 'ended', message: message || 'You logged out in another tab.' });
  leaveSession();
  const client = stomp;
  stomp = null;
  client?.deactivate();
  successor?.deactivate();
  successor = null;
  retiring?.deactivate();
  retiring = null;
  reissuing = null; // whoever signs in next renews their own
  clearTimeout(renewTimer);
  openRoom?.close();
  openRoom = null;
  rooms.clear();
  outbox.clear(); // someone else may log in next
  // A read still on its way is dropped by its ticket: the next one logged in is someone else.
  Object.assign(friendList, emptyFriendList(), { asked: friendList.asked + 1 });
  renderFriends();
  addFriendForm.reset();
  addFriendError().textContent = '';
  showTab('rooms');
  roomsCursor = null;
  roomSubscriptions.clear();
  forgetNames();
  auth = null;
  sessionStorage.removeItem(SESSION_KEY);
  started = false;
  if (location.hash !== '#/login') history.replaceState(null, '', '#/login');
  showAuth('login', message);
}

function showRoom(id) {
  if (openRoom?.id === id) return;
  openRoom?.close();
  openRoom = id ? new RoomView(id) : null;
  document.body.classList.toggle('in-room', Boolean(openRoom));
  $('#room-empty').hidden = Boolean(openRoom);
  $('#room-view').hidden = !openRoom;
  renderRooms();
  syncSubscriptions();
  if (openRoom) {
    openRoom.open();
    $('[data-testid="composer"]').focus();
  }
}

/// The id of the room in the address (`#/rooms/12`), or null.
function roomInAddress() {
  const found = /^#\/rooms\/(\d+)$/.exec(location.hash);
  return found ? Number(found[1]) : null;
}

function route() {
  const hash = location.hash;
  if (!auth) {
    showAuth(hash === '#/signup' ? 'signup' : 'login');
    return;
  }
  startChat();
  showRoom(roomInAddress());
}

// ---------------------------------------------------------------- wiring

function busy(form, on) {
  for (const control of form.elements) control.disabled = on;
}

$('#login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.target;
  busy(form, true);
  try {
    setSession(
      await api('POST', '/auth/login', { email: form.email.value.trim(), password: form.password.value }, false),
    );
    form.reset();
    if (!roomInAddress()) location.hash = '#/rooms'; // a link to a room leads there once logged in
    route();
  } catch (error) {
    $('[data-testid="auth-error"]').textContent = error.message;
  } finally {
    busy(form, false);
  }
});

$('#signup-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.target;
  const email = form.email.value.trim();
  const password = form.password.value;
  busy(form, true);
  try {
    await api('POST', '/auth/signup', { email, password, nickname: form.nickname.value.trim() }, false);
    setSession(await api('POST', '/auth/login', { email, password }, false));
    form.reset();
    location.hash = '#/rooms';
    route();
  } catch (error) {
    $('[data-testid="auth-error"]').textContent = error.message;
  } finally {
    busy(form, false);
  }
});

$('#logout').addEventListener('click', async () => {
  try {
    await api('POST', '/auth/logout', undefined, false);
  } catch {
    // signed out here all the same
  }
  signOut();
});

const openRoomForm = $('#open-room-form');
const openRoomError = () => $('[data-testid="open-room-error"]');
openRoomForm.addEventListener('input', () => {
  openRoomError().textContent = '';
  openRoomForm.groupName.hidden = !openRoomForm.email.value.includes(','); // a group's
});
/// Runs a sidebar form's `action` with the form disabled and its error line cleared, and
/// shows there what went wrong. `action` gets `still()`: whether the member who submitted
/// is still the one signed in, so that an answer coming after a sign-out acts for nobody.
async function submitting(form, errorLine, action) {
  const who = me();
  const still = () => me() === who;
  errorLine.textContent = '';
  busy(form, true);
  try {
    await action(still);
  } catch (failure) {
    if (still()) errorLine.textContent = failure.message;
  } finally {
    busy(form, false);
  }
}

openRoomForm.addEventListener('submit', (event) => {
  event.preventDefault();
  submitting(openRoomForm, openRoomError(), async (still) => {
    const others = await othersByEmail(openRoomForm.email.value);
    if (!still()) return;
    const room = await openRoomWith(
      others.map((member) => member.id),
      openRoomForm.groupName.value.trim(),
    );
    if (!still()) return;
    showRoomOf(room);
    openRoomForm.reset();
    openRoomForm.groupName.hidden = true;
  });
});

// ---- the open room's menu: invite, rename, leave. Its controls are shared by every
// room: what a request answers after another room was opened touches them no more.

const roomMenu = $('#room-menu');
const roomMenuToggle = $('#room-menu-toggle');
const roomMenuError = () => $('[data-testid="room-menu-error"]');

function showLeaveConfirmation(on) {
  $('#leave-room').hidden = on;
  $('#leave-confirm').hidden = !on;
}

/// Closed and ready again: nothing typed, nothing waiting, no error. Focus that was in it
/// goes back to its button.
function closeRoomMenu({ refocus = roomMenu.contains(document.activeElement) } = {}) {
  roomMenu.hidden = true;
  roomMenuToggle.setAttribute('aria-expanded', 'false');
  showLeaveConfirmation(false);
  roomMenuError().textContent = '';
  for (const form of roomMenu.querySelectorAll('form')) form.reset();
  for (const control of roomMenu.querySelectorAll('input, button')) control.disabled = false;
  if (refocus && !roomMenuToggle.hidden) roomMenuToggle.focus();
}

roomMenuToggle.addEventListener('click', () => {
  if (!roomMenu.hidden) return closeRoomMenu();
  roomMenu.hidden = false;
  roomMenuToggle.setAttribute('aria-expanded', 'true');
  $('[data-testid="invite-email"]').focus();
});
roomMenu.addEventListener('keydown', (event) => {
  if (event.key === 'Escape') closeRoomMenu();
});
roomMenu.addEventListener('input', () => {
  roomMenuError().textContent = '';
});

/// Runs a menu action for `view` with `controls` disabled meanwhile; it closes the menu
/// when done, or says what went wrong, as long as `view` is still the room on screen.
async function roomMenuAction(view, controls, action) {
  const refocus = roomMenu.contains(document.activeElement); // lost once the control is disabled
  roomMenuError().textContent = '';
  for (const control of controls) control.disabled = true;
  try {
    await action();
    if (openRoom === view) closeRoomMenu({ refocus });
  } catch (failure) {
    if (openRoom === view) roomMenuError().textContent = failure.message;
  } finally {
    if (openRoom === view) for (const control of controls) control.disabled = false;
  }
}

$('#invite-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const view = openRoom;
  const form = event.target;
  if (!view?.detail) return; // the menu shows once it is there
  roomMenuAction(view, form.elements, async () => {
    const invited = (await othersByEmail(form.email.value)).map((member) => member.id);
    if (view.detail.type === 'group') {
      await view.detailFrom('POST', `/rooms/${view.id}/members`, { memberIds: invited });
      return;
    }
    // A 1:1 room stays between its two: inviting starts a group of the three of us (or,
    // when the other has left it, a room with those invited).
    const other = view.otherMember();
    const others = invited.filter((id) => id !== other?.memberId);
    if (others.length === 0) throw new Error(`${other.nickname} is in this room already.`);
    const group = await openRoomWith(other ? [other.memberId, ...others] : others);
    if (!view.closed) showRoomOf(group); // not when another room was opened meanwhile
  });
});

$('#rename-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const view = openRoom;
  const form = event.target;
  if (!view?.detail) return;
  roomMenuAction(view, form.elements, async () => {
    const detail = await view.detailFrom('PATCH', `/rooms/${view.id}`, { name: form.roomName.value.trim() });
    const listed = rooms.get(view.id);
    if (listed) {
      listed.name = detail.name;
      renderRooms();
    }
  });
});

/// The menu's mute button, as my membership of the open room has it.
function showMuted(muted) {
  const button = $('#mute-room');
  button.dataset.muted = String(muted);
  button.textContent = muted ? 'Unmute this room' : 'Mute this room';
}

$('#mute-room').addEventListener('click', () => {
  const view = openRoom;
  if (!view?.detail) return;
  const muted = $('#mute-room').dataset.muted !== 'true';
  roomMenuAction(view, [$('#mute-room')], async () => {
    const mine = await api('PATCH', `/rooms/${view.id}/members/me`, { muted });
    const listed = rooms.get(view.id);
    if (listed) {
      listed.muted = mine.muted;
      renderRooms();
    }
    const member = view.detail.members.find((m) => m.memberId === me());
    if (member) member.muted = mine.muted;
    if (openRoom === view) showMuted(mine.muted);
  });
});

$('#leave-room').addEventListener('click', () => {
  roomMenuError().textContent = '';
  showLeaveConfirmation(true);
  $('#leave-no').focus();
});
$('#leave-no').addEventListener('click', () => {
  showLeaveConfirmation(false);
  $('#leave-room').focus();
});
$('#leave-yes').addEventListener('click', () => {
  const view = openRoom;
  if (!view) return;
  roomMenuAction(view, [$('#leave-yes'), $('#leave-no')], async () => {
    try {
      await api('DELETE', `/rooms/${view.id}/members/me`);
    } catch (error) {
      view.goneIf(error); // left already, on another device
      throw error;
    }
    rooms.delete(view.id);
    renderRooms();
    view.gone();
  });
});

for (const form of [$('#login-form'), $('#signup-form')]) {
  form.addEventListener('input', () => {
    $('[data-testid="auth-error"]').textContent = '';
  });
}

$('#tab-rooms').addEventListener('click', () => showTab('rooms'));
$('#tab-friends').addEventListener('click', () => showTab('friends'));

const addFriendForm = $('#add-friend-form');
const addFriendError = () => $('[data-testid="add-friend-error"]');
addFriendForm.addEventListener('input', () => {
  addFriendError().textContent = '';
});
addFriendForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const who = me();
  await submitting(addFriendForm, addFriendError(), async (still) => {
    const [member] = await othersByEmail(addFriendForm.email.value);
    if (!still()) return;
    const friend = await api('POST', '/friends', { memberId: member.id });
    // Already there, but hidden or blocked: adding again shows a hidden friend; a blocked
    // one is for the Unblock below.
    if (friend.blocked) throw new Error(`You blocked ${friend.nickname}: unblock them below.`);
    if (friend.hidden) await api('PATCH', `/friends/${member.id}`, { hidden: false });
    addFriendForm.reset();
    await loadFriends();
  });
  if (me() === who) addFriendForm.email.focus(); // back where the keyboard was
});

/// A friend's buttons: chat opens our 1:1 room; block and unblock move them between lists,
/// and the focus goes with them, to the button that undoes it.
for (const list of [$('#friends'), $('#blocked')]) {
  list.addEventListener('click', async (event) => {
    const button = event.target.closest('button[data-action]');
    if (!button) return;
    const { action } = button.dataset;
    const memberId = Number(button.closest('li').dataset.memberId);
    const who = me();
    const errorLine = $('[data-testid="friend-list-error"]');
    errorLine.textContent = '';
    button.disabled = true;
    try {
      if (action === 'chat') {
        const room = await openRoomWith([memberId]);
        if (me() === who) showRoomOf(room);
        return;
      }
      await api('PATCH', `/friends/${memberId}`, { blocked: action === 'block' });
      await loadFriends();
      const undo = action === 'block' ? 'unblock' : 'block';
      document.querySelector(`.friend-item[data-member-id="${memberId}"] [data-action="${undo}"]`)?.focus();
    } catch (failure) {
      if (me() === who) errorLine.textContent = failure.message;
    } finally {
      button.disabled = false;
    }
  });
}
$('#more-friends').addEventListener('click', () => loadFriends(true));

$('#rooms').addEventListener('click', (event) => {
  // The room open already: the address stays as it is, so nothing else hears of the
  // click. It is a way to ask again for a room that could not be loaded.
  const item = event.target.closest('[data-testid="room-item"]');
  if (item && Number(item.dataset.roomId) === openRoom?.id) openRoom.load();
});
$('#refresh-rooms').addEventListener('click', () => loadRooms());
$('#more-rooms').addEventListener('click', () => loadRooms(true));
$('#messages').addEventListener('scroll', () => openRoom?.onScroll(), { passive: true });

const composer = $('[data-testid="composer"]');

function fitComposer() {
  composer.style.height = 'auto';
  composer.style.height = `${Math.min(composer.scrollHeight, 160)}px`;
}

composer.addEventListener('input', () => {
  $('#composer-error').textContent = '';
  fitComposer();
  openRoom?.typed();
});
composer.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    $('#send-form').requestSubmit();
  }
});
$('#send-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const text = cleanText(composer.value);
  if (!text || !openRoom) return;
  if (!openRoom.canSend()) {
    $('#composer-error').textContent = 'This room has not loaded yet: your message stays here until it has.';
    return;
  }
  if ([...text].length > MAX_TEXT_LENGTH) {
    $('#composer-error').textContent = `A message holds at most ${MAX_TEXT_LENGTH} characters.`;
    return;
  }
  openRoom.send(text);
  composer.value = '';
  fitComposer();
});

document.addEventListener('visibilitychange', () => {
  openRoom?.refreshUnreadNumbers(); // I count among the readers only while I look
  renderRooms(); // and the open room's count in the title, only while I do not
  if (document.hidden || !started) return;
  openRoom?.scheduleRead();
  loadRooms(); // a tab in the background may have been frozen, its events held back
  if (friendList.wanted) loadFriends();
});
window.addEventListener('hashchange', route);
route();
