// Private conversations: the ones the node lists (begun elsewhere or while offline), closed ones
// kept closed until something newer, catching up after a reconnect, and a log that began again.
import { PAGE, TRANSIENT, rooms, session, state, store, stored } from './state.js';
import { describe, generation, later, readRetrying } from './connection.js';
import { makeRoom, saveRooms, savedConversation } from './rooms.js';
import { addMessage, forgetLog, notice } from './messages.js';
import { renderLists } from './render.js';
import { fillViewport, renderLog, renderLogKeepingPlace } from './log-view.js';
import { notifyOf } from './notifications.js';

function conversationName(a, b) {
  return 'dm:' + [a, b].sort().join(':');
}

export function conversation(peer, peerName) {
  const name = conversationName(session.user, peer);
  let room = rooms.get(name);
  if (!room) {
    room = makeRoom(name, 'dm');
    room.peer = peer;
    room.peerName = peerName || peer;
    rooms.set(name, room);
    saveRooms();
    catchUp(room);
  }
  return room;
}

/**
 * Opens the conversations the node lists that this page does not show: one begun while the
 * user was offline (or in another browser) is otherwise never seen. One the person closed here
 * stays closed until a message newer than what it held then (by the node's `ts`: a log that
 * began again restarts its seqs, and the browser's clock is not the node's). Asked on every
 * welcome: the messages of a lost link's gap come from people this page may not know yet. After
 * the first whole list, only the newest ten: every page of a dead node's users reconnects at once,
 * and each listed conversation is a read on the cluster.
 */
export async function findConversations() {
  const on = generation;
  const user = session.login.user;
  let reply;
  try {
    reply = await readRetrying({ type: 'conversations', limit: listedFor === user ? 10 : 50 });
    const list = reply.conversations;
    const oldest = Array.isArray(list) && list.length ? list[list.length - 1].last : null;
    if (listedFor === user && reply.more && oldest && String(oldest.ts) > seenBeforeLoss && on === generation) {
      // all ten are newer than the lost link's last message: a long absence, and a new
      // conversation may be further down; once per welcome, as far as a read goes
      reply = await readRetrying({ type: 'conversations', limit: 100 });
    }
  } catch (err) {
    return; // a node without conversations, or the link lost: the next welcome asks again
  }
  if (on !== generation || !Array.isArray(reply.conversations)) {
    return;
  }
  listedFor = user;
  conversationsListed++;
  const closed = stored('closed.' + session.login.user) || {};
  let added = false;
  for (const c of reply.conversations) {
    const seenUpTo = typeof closed[c.room] === 'string' ? closed[c.room] : '';
    if (rooms.has(c.room) || !c.last || !(String(c.last.ts) > seenUpTo) || conversationName(session.user, c.with) !== c.room) {
      continue;
    }
    const room = savedConversation({ room: c.room, peer: c.with, peerName: c.last.from === c.with ? c.last.name : null });
    room.unreadAfter = seenUpTo;
    room.listedTs = String(c.last.ts);
    rooms.set(c.room, room);
    catchUp(room);
    added = true;
  }
  if (added) {
    saveRooms();
    renderLists();
  }
}

/**
 * The node's time of the newest message this page has taken in, and what it was when the link
 * was last lost (node times compare as strings; the browser's clock is not the node's).
 */
let newestTs = '';
let seenBeforeLoss = '';
/** How many conversations replies this page has taken in (for tests: one after each welcome). */
export let conversationsListed = 0;
/** The user whose whole list this page has read (later welcomes ask for the newest only). */
let listedFor = null;

/** A message's node time ({@code ts}): the newest seen so far is kept. */
export function sawMessageAt(ts) {
  if (typeof ts === 'string' && ts > newestTs) {
    newestTs = ts;
  }
}

/** The link was lost: the conversations read after the next welcome look back to the newest message seen. */
export function rememberNewestSeen() {
  if (newestTs > seenBeforeLoss) {
    seenBeforeLoss = newestTs;
  }
}

/** Signed out: the next sign-in reads the whole list again. */
export function forgetConversations() {
  listedFor = null;
  newestTs = seenBeforeLoss = '';
}

/**
 * A conversation closed here, and the time of the newest message it held (or that the node
 * listed for it; none: any message opens it again): listed again only for a newer one. The
 * node's times only: the browser's clock may be ahead.
 */
export function rememberClosed(room) {
  const key = 'closed.' + session.login.user;
  const closed = stored(key) || {};
  const held = room.items.filter(i => i.kind === 'message' && typeof i.ts === 'string').map(i => i.ts).sort();
  delete closed[room.name];
  closed[room.name] = held.length ? held[held.length - 1] : room.listedTs || '';
  const names = Object.keys(closed); // in the order closed: the oldest go first
  for (const name of names.slice(0, Math.max(0, names.length - 200))) {
    delete closed[name];
  }
  store(key, closed);
}

/**
 * A conversation the node listed: its messages from the other user after the last one this
 * user wrote, and newer than what it held when closed here, are unread. Only those this read
 * `added`: a live one that came meanwhile was counted when it came.
 */
function countListedUnread(room, messages, added) {
  const closedAt = room.unreadAfter;
  delete room.unreadAfter;
  let mine = 0;
  for (const m of messages) {
    if (m.from === session.user) {
      mine = Math.max(mine, m.seq);
    }
  }
  if (room.name !== state.current || document.hidden) {
    room.unread += added.filter(m => m.seq > mine && String(m.ts) > closedAt && m.from !== session.user).length;
  }
}

/** Reads what a conversation missed: its latest page the first time, then all after the last seen. */
export async function catchUp(room) {
  if (!state.link || !state.link.connected || room.joining) {
    return;
  }
  const mine = {};
  room.joining = mine; // onLost takes it away: then this read ends without touching the next one's
  try {
    if (!room.loaded) {
      const page = await readRetrying({ type: 'history', room: room.name, limit: PAGE });
      if (room.joining !== mine) {
        return; // the log was reset (or the link lost) meanwhile: this page may be the old log's
      }
      const added = page.messages.filter(m => addMessage(room, m, false, true));
      if (room.unreadAfter !== undefined) {
        countListedUnread(room, page.messages, added);
      }
      room.more = page.more;
      room.loaded = true;
    } else {
      // from a cursor of its own: a live message that comes meanwhile moves maxSeq past what
      // is still unread, and paging after maxSeq skipped it for good
      if (room.missingFrom == null) {
        room.missingFrom = room.maxSeq;
      }
      if (room.maxSeq > 0 && await begunAgain(room, mine)) {
        if (room.joining !== mine) {
          return;
        }
        resetConversation(room);
        if (room.name === state.current) {
          renderLog();
        }
        catchUp(room);
        return;
      }
      let more = true;
      while (more) {
        const page = await readRetrying({ type: 'history', room: room.name, after: room.missingFrom, limit: 100 });
        if (room.joining !== mine) {
          return;
        }
        page.messages.forEach(m => addMessage(room, m, true, true));
        more = page.more && page.messages.length > 0;
        if (page.messages.length) {
          room.missingFrom = page.messages[page.messages.length - 1].seq;
        }
      }
      room.missingFrom = null;
    }
  } catch (err) {
    if (room.joining !== mine) {
      return;
    }
    if (TRANSIENT.includes(err.code)) {
      room.joining = false;
      later(room, () => catchUp(room), err);
    } else if (err.code !== 'disconnected') {
      notice(room, 'Could not load this conversation: ' + describe(err), 'error');
    }
  } finally {
    if (room.joining === mine) {
      room.joining = false;
    }
  }
  renderLists();
  if (room.name === state.current) {
    renderLogKeepingPlace();
    fillViewport();
  }
}

/**
 * Whether a conversation's log began again while the page was away (lost, or removed after a
 * long silence): nothing live tells it, and reading after the cursor finds nothing in a
 * shorter new log. The log's newest message up to the cursor says: another message there, or
 * an older one, is a new log. None at all is a new log too, unless the log only let go of its
 * oldest while much was written (then it holds messages after the cursor).
 */
async function begunAgain(room, mine) {
  const probe = (await readRetrying({ type: 'history', room: room.name, before: room.missingFrom + 1, limit: 1 }))
    .messages[0];
  if (probe) {
    return probe.seq < room.missingFrom || restarted(room, probe);
  }
  if (room.joining !== mine) {
    return false;
  }
  const next = await readRetrying({ type: 'history', room: room.name, after: room.missingFrom, limit: 1 });
  return next.messages.length === 0;
}

export function onPrivate(frame) {
  const mine = frame.from === session.user;
  const room = conversation(mine ? frame.to : frame.from, mine ? null : frame.name);
  if (!mine) {
    room.peerName = frame.name;
    if (frame.via !== 'api') {
      room.online = true; // a program's message (the server API) says nothing of a connection
    }
  }
  // a live message is newer than all the page holds of its log: one older than the oldest
  // held comes from a new log
  if (restarted(room, frame)
      || (room.loaded && room.minSeq !== Infinity && !room.seqs.has(frame.seq) && frame.seq < room.minSeq)) {
    resetConversation(room);
    if (addMessage(room, frame, true)) {
      notifyOf(room, frame);
    }
    if (room.name === state.current) {
      renderLog();
    }
    catchUp(room); // the new log's earlier messages, if any
    renderLists();
    return;
  }
  if (addMessage(room, frame, true)) {
    notifyOf(room, frame);
  }
  renderLists();
}

/**
 * The conversation's log was lost, or removed after a long silence, and started again: its
 * seqs name other messages now, and the node sends conversations no signal of it (rooms get
 * a joined frame).
 */
function resetConversation(room) {
  forgetLog(room);
  room.loaded = false;
  room.joining = false; // a read of the old log under way ends without touching the new one
  notice(room, 'The history of this conversation was reset by the service.', 'error');
}

/** A private frame whose seq the conversation holds for another message. */
function restarted(room, frame) {
  if (!room.seqs.has(frame.seq)) {
    return false;
  }
  const held = room.items.find(i => i.kind === 'message' && i.seq === frame.seq);
  return held !== undefined && (held.ts !== frame.ts || held.from !== frame.from || held.text !== frame.text);
}
