// The message log on screen: drawn anew or appended to, kept at the reader's place when messages
// come in above or below, and paged back into older history while scrolling up.
import { $, NEAR_BOTTOM_PX, NEAR_TOP_PX, PAGE, RETRY_MS, V, log, looseNotices, session, state } from './state.js';
import { describe, readRetrying } from './connection.js';
import { currentRoom } from './rooms.js';
import { notice, toItem } from './messages.js';

/** The first message in view, and how far below the log's top it is. */
export function shownAt() {
  const top = log.getBoundingClientRect().top;
  for (const el of log.querySelectorAll('.msg[data-seq]')) {
    const box = el.getBoundingClientRect();
    if (box.bottom > top) {
      return { seq: el.dataset.seq, offset: box.top - top };
    }
  }
  return null;
}

/**
 * Puts the message of `place` back where it was after a redraw. If it went with the oldest, the
 * view goes to the top of what is left, the nearest to it, where scrolling up reads it again.
 */
export function keepPlace(place) {
  const el = log.querySelector('.msg[data-seq="' + CSS.escape(place.seq) + '"]');
  if (el) {
    log.scrollTop += el.getBoundingClientRect().top - log.getBoundingClientRect().top - place.offset;
  } else {
    log.scrollTop = 0;
  }
}

function topLine(room) {
  return V.el('div', 'more', room.more ? 'Scroll up for older messages' : 'The beginning of ' + (room.kind === 'dm' ? 'this conversation' : 'this room'));
}

export function renderLog() {
  const room = currentRoom();
  // a log drawn anew is not news: a screen reader would read every message in it as added
  log.setAttribute('aria-live', 'off');
  clearTimeout(liveAgain);
  liveAgain = setTimeout(() => log.setAttribute('aria-live', 'polite'), 200);
  log.replaceChildren();
  $('new-marker').hidden = true;
  if (!room) {
    log.append(V.el('div', 'more', 'Join a room to start.'), ...looseNotices.map(item => V.messageEl(item, session.user)));
    return;
  }
  looseNotices.length = 0; // told while no room was open; a room is open now, and they are old
  const nodes = room.items.map(item => V.messageEl(item, session.user));
  log.append(topLine(room), ...nodes);
}

let liveAgain = null;

/**
 * Draws the log anew where messages came in below or among those shown (a rejoin's recovered
 * ones, a gap read): at the bottom it stays at the bottom; reading back, the first message in
 * view stays where it was on screen (kept at its distance from the bottom instead, the reader
 * was pulled down by every message recovered), and the marker tells of the ones below.
 */
export function renderLogKeepingPlace() {
  if (nearBottom()) {
    renderLog();
    scrollToBottom();
    return;
  }
  const anchor = firstInView();
  const lastBefore = lastSeqShown();
  const marked = !$('new-marker').hidden;
  renderLog();
  const node = anchor && log.querySelector('.msg[data-seq="' + anchor.seq + '"]');
  if (node) {
    log.scrollTop += node.getBoundingClientRect().top - anchor.top;
  }
  $('new-marker').hidden = !(marked || lastSeqShown() !== lastBefore);
}

function firstInView() {
  const top = log.getBoundingClientRect().top;
  for (const node of log.querySelectorAll('.msg[data-seq]')) {
    const box = node.getBoundingClientRect();
    if (box.bottom > top) {
      return { seq: node.dataset.seq, top: box.top };
    }
  }
  return null;
}

function lastSeqShown() {
  const shown = log.querySelectorAll('.msg[data-seq]');
  return shown.length ? shown[shown.length - 1].dataset.seq : null;
}

export function nearBottom() {
  return log.scrollHeight - log.scrollTop - log.clientHeight < NEAR_BOTTOM_PX;
}

export function scrollToBottom() {
  log.scrollTop = log.scrollHeight;
  $('new-marker').hidden = true;
}

export function appendToLog(item) {
  const stick = nearBottom() || V.isOwn(item, session.user);
  log.append(V.messageEl(item, session.user));
  if (stick) {
    scrollToBottom();
  } else if (item.kind === 'message') {
    $('new-marker').hidden = false;
  }
}

/** Loads the page before the oldest message shown, keeping what is on screen where it was. */
export async function loadOlder() {
  const room = currentRoom();
  if (!room || !room.more || room.loadingOlder || !state.link || !state.link.connected || room.minSeq === Infinity
      || performance.now() < room.olderAfter) {
    return;
  }
  room.loadingOlder = true;
  let failed = false;
  try {
    const asked = room.minSeq;
    const page = await readRetrying({ type: 'history', room: room.name, before: asked, limit: PAGE });
    if (room.minSeq !== asked) {
      return; // the log was read anew meanwhile (reset): this page may be the old log's
    }
    const older = page.messages.filter(m => !room.seqs.has(m.seq));
    older.forEach(m => room.seqs.add(m.seq));
    room.items.unshift(...older.map(toItem));
    if (older.length) {
      room.minSeq = Math.min(room.minSeq, older[0].seq);
    }
    room.more = page.more && older.length > 0;
    if (room.name === state.current) {
      const height = log.scrollHeight;
      const top = log.scrollTop;
      renderLog();
      log.scrollTop = top + (log.scrollHeight - height);
    }
  } catch (err) {
    failed = true;
    if (err.code !== 'disconnected') {
      // not asked again at once (by fillViewport, or by every scroll event near the top), but
      // after a pause, since a log too short to scroll brings no scroll event
      room.olderAfter = performance.now() + RETRY_MS;
      notice(room, 'Could not load older messages: ' + describe(err), 'error');
      setTimeout(() => room.name === state.current && fillViewport(), RETRY_MS + 50);
    }
  } finally {
    room.loadingOlder = false;
  }
  if (!failed) {
    fillViewport();
  }
}

/** Keeps loading older pages while the log does not fill the screen (no scroll bar, no scroll). */
export function fillViewport() {
  const room = currentRoom();
  if (room && room.more && log.scrollHeight <= log.clientHeight + NEAR_TOP_PX) {
    loadOlder();
  }
}
