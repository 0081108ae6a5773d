// A room's messages, kept by seq: a rejoin's reply, a history page and a live frame can arrive
// in any order and each message still shows once, in order. Notices among them, and the trim that
// keeps a room open for days from growing without end.
import { MAX_LOOSE_NOTICES, V, log, looseNotices, session, state, tuning } from './state.js';
import { currentRoom } from './rooms.js';
import { sawMessageAt } from './conversations.js';
import { clearDraft } from './sending.js';
import { appendToLog, keepPlace, nearBottom, renderLog, renderLogKeepingPlace, scrollToBottom, shownAt } from './log-view.js';

export function toItem(m) {
  return { kind: 'message', seq: m.seq, from: m.from, name: m.name, to: m.to, text: m.text, data: m.data, ts: m.ts, via: m.via };
}

/**
 * Puts a message in its place by seq; false when it is already there. {@code quiet}: the
 * caller draws the log once for a whole page (drawing it again per message out of order was
 * thousands of rebuilds of the whole log for a large gap).
 */
export function addMessage(room, m, countUnread, quiet) {
  if (room.seqs.has(m.seq)) {
    return false;
  }
  room.seqs.add(m.seq);
  const item = toItem(m);
  let at;
  if (m.seq > room.maxSeq) {
    at = room.items.push(item) - 1;
  } else {
    at = room.items.length;
    while (at > 0 && !(room.items[at - 1].kind === 'message' && room.items[at - 1].seq < m.seq)) {
      at--;
    }
    room.items.splice(at, 0, item);
  }
  room.maxSeq = Math.max(room.maxSeq, m.seq);
  room.minSeq = Math.min(room.minSeq, m.seq);
  sawMessageAt(m.ts);
  // the same text from before the send, or from a log that restarted since, is another message
  const unsure = room.unsure;
  // (a program's message through the server API may name any sender: another message)
  const settled = unsure && m.from === session.user && m.via !== 'api' && m.text === unsure.text
    && m.seq > unsure.after && room.epoch === unsure.epoch;
  if (countUnread && !V.isOwn(item, session.user) && (room.name !== state.current || document.hidden)) {
    room.unread++;
  }
  if (room.name === state.current && !quiet) {
    if (at === room.items.length - 1) {
      appendToLog(item);
    } else {
      renderLogKeepingPlace();
    }
  }
  if (settled) {
    storedAfterAll(room);
  }
  trim(room);
  return true;
}

export function storedAfterAll(room) {
  clearDraft(room, room.unsure.text);
  room.unsure = null;
  notice(room, 'Your message was stored after all: no need to send it again.');
}

/**
 * A room open for days would keep every message and notice it ever got, and the page draws its
 * log from all of them: past maxItems the oldest go, down to three quarters of it, while nobody
 * reads them (the room is shown, or was left, at its newest) and no read is filling it.
 * Scrolling up reads them again from the history.
 */
function trim(room) {
  if (room.items.length <= tuning.maxItems || room.filling || room.loadingOlder || room.joining
      || room.missingFrom != null) {
    return;
  }
  if (room.name === state.current ? !nearBottom() : room.scroll !== null) {
    // someone is reading old messages here. Left that way (a room in the background, or the
    // room shown in a hidden tab) it gives up its place at twice the cap, and even in sight at
    // four times, rather than grow for as long as the tab stays open
    const limit = room.name !== state.current || document.hidden ? 2 * tuning.maxItems : 4 * tuning.maxItems;
    if (room.items.length <= limit) {
      return;
    }
    room.scroll = null;
  }
  // a reader scrolled up in sight keeps the place: pulled to the newest, they lost it at every message
  const place = room.name === state.current && !nearBottom() ? shownAt() : null;
  const dropped = room.items.splice(0, room.items.length - keptAfterTrim());
  let lastDropped = null;
  for (const item of dropped) {
    if (item.kind === 'message') {
      room.seqs.delete(item.seq);
      lastDropped = item.seq;
    }
  }
  if (lastDropped !== null) {
    const first = room.items.find(item => item.kind === 'message');
    room.minSeq = first ? first.seq : lastDropped + 1;
    room.more = true;
  }
  if (room.name === state.current) {
    renderLog();
    if (place === null) {
      scrollToBottom();
    } else {
      keepPlace(place);
    }
  }
}

/** How many items a trimmed room keeps: three quarters of maxItems. */
export function keptAfterTrim() {
  return Math.floor(tuning.maxItems * 3 / 4);
}

export function notice(room, text, level) {
  const item = { kind: 'system', text, ts: new Date().toISOString(), level: level || null };
  if (!room) {
    // no room open (the only one was refused, or none was joined): why a join was refused or
    // the link ended must still be told, where the log would be
    looseNotices.push(item);
    if (looseNotices.length > MAX_LOOSE_NOTICES) {
      looseNotices.shift();
    }
    if (!currentRoom()) {
      appendToLog(item);
      // the log shows what looseNotices keeps, no more: reconnects over days added a line each
      // (and the line that asks to join a room, when it is there)
      while (log.childElementCount > MAX_LOOSE_NOTICES + 1) {
        const first = log.firstElementChild;
        (first.classList.contains('more') ? first.nextElementSibling : first).remove();
      }
    }
    return;
  }
  room.items.push(item);
  if (room.name === state.current) {
    appendToLog(item);
  }
  trim(room);
}

/**
 * Lets go of the messages before {@code seq} (and what was noted among them): they are older
 * history now, read again by scrolling up. Notes that came after the last of them stay.
 */
export function forgetBefore(room, seq) {
  let last = -1;
  room.items.forEach((item, i) => {
    if (item.kind === 'message' && item.seq < seq) {
      last = i;
    }
  });
  for (const item of room.items.splice(0, last + 1)) {
    if (item.kind === 'message') {
      room.seqs.delete(item.seq);
    }
  }
  const firstLeft = room.items.find(item => item.kind === 'message');
  room.minSeq = firstLeft ? firstLeft.seq : Infinity;
  room.more = true;
}

/**
 * Forgets what the page held of a log that restarted: its seqs name other messages now. An
 * unsure send there keeps its key (a healed split brain carries the message into the new log
 * under it, so the same text sent again is stored once), but is no longer told as stored when
 * its text shows up: its seqs mean nothing in the new log, so the box keeps the text and the
 * user decides.
 */
export function forgetLog(room) {
  room.logResets += 1; // a send on its way judges what it finds by the log it began in (send)
  if (room.unsure) {
    // conversations have no epoch to tell the logs apart: no seq of the new log counts as after it
    room.unsure.after = Infinity;
  }
  room.items = [];
  room.seqs.clear();
  room.minSeq = Infinity;
  room.maxSeq = 0;
  room.missingFrom = null;
  room.filling = false; // a gap read of the old log under way must not write into the new one
}
