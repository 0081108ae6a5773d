// The link's events: welcome (rejoin every room), lost (reconnecting), ended (why, and what
// the person can do), frames to their handlers. Requests retried while the cluster says
// "not now", and the back-off of retries.
import { $, RETRY_MS, V, rooms, session, state, tuning } from './state.js';
import { DevLoginOff, devLogin, endedByExpiry, setToken, tokenRanOut } from './tokens.js';
import { signOut } from './signin.js';
import { currentRoom, onLeft, onPresence } from './rooms.js';
import { join, leaveUnlessWanted, onMessage, onRestarted } from './joins.js';
import { notice } from './messages.js';
import { catchUp, findConversations, onPrivate, rememberNewestSeen } from './conversations.js';
import { renderHead, renderLists, renderMembers } from './render.js';

/** A lost link is being reconnected: said once when lost, and once when back. */
let reconnecting = false;
/** Counts welcomes: a retry scheduled on one connection does nothing on the next, which rejoins by itself. */
export let generation = 0;

/** Why the link ended for good (removed by an administrator, too many connections): said beside "offline". */
let endReason = '';
/** The close code of the last lost link: after 4008 the back-off is the point, so no "Reconnect now". */
let lostCode = 0;

export function setStatus(phase, seconds) {
  const status = $('status');
  status.className = 'status ' + (phase === 'connecting' ? 'reconnecting' : phase);
  const retry = $('retry');
  if (phase === 'reconnecting') {
    // the countdown ticks every second: only "reconnecting" is for a screen reader to say
    const label = 'reconnecting';
    if (!status.firstChild || status.firstChild.textContent !== label) {
      status.replaceChildren(label, V.el('span', 'countdown', ''));
      status.lastChild.setAttribute('aria-hidden', 'true');
    }
    status.lastChild.textContent = ' in ' + seconds + ' s';
    // a wait of up to 30 s need not be sat out: the link's next try comes at once
    retry.textContent = 'Reconnect now';
    retry.hidden = lostCode === 4008 || session.login === null;
    return;
  }
  if (phase !== 'offline') {
    endReason = '';
  }
  status.textContent = phase === 'connecting' ? 'connecting…' : phase + (phase === 'offline' && endReason ? ' — ' + endReason : '');
  retry.textContent = 'Reconnect';
  // a token that ran out is renewed with a new one (the form above), not by trying it again
  retry.hidden = phase !== 'offline' || session.login === null || endedByExpiry;
}

/** The link ended for good, for this reason: said in the status, which outlasts the log's notice. */
export function endedFor(reason) {
  endReason = reason;
  if (state.link && state.link.stopped) {
    setStatus('offline', 0);
  }
}

/**
 * The link is gone: no room is joined, and who is in a room or online is not known any more
 * (shown as unknown, not as it was); the rejoin's answers and the next acks tell again.
 */
function forgetLinkState() {
  rememberNewestSeen(); // the conversations read after the welcome looks further back than this
  for (const room of rooms.values()) {
    room.joined = false;
    room.joining = false;
    // live frames held for a join that the lost link never answered: the rejoin reads them
    // back, and if the room's log began again meanwhile, their seqs name other messages
    if (room.early) {
      room.early = [];
    }
    room.filling = false; // a read of the old link's gap stops; the rejoin reads it anew
    if (room.kind === 'dm') {
      room.online = undefined;
    }
  }
  renderLists();
  renderHead();
  renderMembers();
}

export function onLost(code, reason) {
  lostCode = code;
  linkWelcomed = false;
  forgetLinkState();
  if (!reconnecting) {
    reconnecting = true;
    notice(currentRoom(), 'Connection lost' + (reason ? ' (' + reason + ')' : '') + '. Reconnecting…', 'error');
  }
}

export function onEnd(code, reason) {
  forgetLinkState(); // as after a lost link: a renewed one's rejoin reads the gap anew
  const welcomedOnThisLink = linkWelcomed;
  linkWelcomed = false;
  reconnecting = false;
  if (code === 1008 && (reason === 'token expired' || reason === 'unauthorized') && session.mode === 'dev'
      && performance.now() - renewedAt > 60000) {
    // the renewal missed (the page slept through it), or every node restarted with a new
    // signing key (no auth.jwtSecret): a new token, then the same way back; once a minute at
    // most, so a token the nodes keep refusing signs out the second time
    renewAndReconnect(reason);
  } else if (code === 1008 && (reason === 'token expired' || reason === 'unauthorized') && session.mode !== 'dev'
      && session.welcomed) {
    tokenRanOut(reason);
  } else if (code === 1008 && reason === 'forbidden origin') {
    signOut('This page\'s address is not an allowed origin of the service (forbidden origin): '
      + 'signing in again will not help; ask the operator to allow it.');
  } else if (code === 1008) {
    signOut('Your session ended (' + (reason || 'unauthorized') + '). Please sign in again.');
  } else if (code === 4009) {
    clearTimeout(tooManyTimer); // a retry planned after an earlier refusal must not bring the link back
    notice(currentRoom(), 'You were removed by an administrator.', 'error');
    endedFor('removed by an administrator');
  } else if (code === 4003 && session.welcomed && !welcomedOnThisLink && tooManyRetries < 2) {
    // refused on the way back after a lost link: the old connection may still be counted, on
    // a node that died and is not yet declared dead, so this once or twice it is asked again
    tooManyRetries++;
    const wait = jittered(tuning.tooManyRetryMs);
    notice(currentRoom(), 'Too many connections for your user. A node that went away may still count this tab\'s '
      + 'last connection: trying again in ' + Math.round(wait / 1000) + ' s. Or close another tab or device, then '
      + 'select Reconnect.', 'error');
    const ended = state.link;
    clearTimeout(tooManyTimer);
    tooManyTimer = setTimeout(() => state.link === ended && ended.stopped && ended.now(), wait);
  } else if (code === 4003) {
    notice(currentRoom(), 'Too many connections for your user: close another tab or device, then select Reconnect.', 'error');
    endedFor('too many connections');
  } else {
    notice(currentRoom(), 'Disconnected' + (reason ? ' (' + reason + ')' : '') + '.', 'error');
    endedFor(reason || 'disconnected');
  }
}

/** When the link last came back with a token renewed after an expiry close: once a minute at most. */
let renewedAt = -Infinity;

async function renewAndReconnect(reason) {
  renewedAt = performance.now();
  const login = session.login;
  try {
    const token = await devLogin(login.user, login.name);
    if (session.login === login && state.link) {
      setToken(token);
      state.link.start();
    }
  } catch (err) {
    // not signed out (that took the draft too): the link asks again, with its back-off, as
    // for any token it could not get on the way to a node
    if (session.login === login && err instanceof DevLoginOff) {
      signOut('Your session ended (' + reason + '), and ' + err.message + '.');
    } else if (session.login === login && state.link) {
      notice(currentRoom(), 'Your token was refused (' + reason + ') and could not be renewed yet ('
        + err.message + '). Trying again…', 'error');
      state.link.start();
    }
  }
}

/** Whether the link now open (or last closed) got its welcome: a refusal comes instead of one. */
let linkWelcomed = false;
/** Automatic retries after 4003 since the last welcome, and the timer of the next. */
let tooManyRetries = 0;
let tooManyTimer = null;

/** Signed out: no retry is planned, and nothing is being reconnected or was ended. */
export function forgetConnection() {
  clearTimeout(tooManyTimer);
  reconnecting = false;
  endReason = '';
}

function onWelcome(frame) {
  session.welcomed = true;
  linkWelcomed = true;
  tooManyRetries = 0;
  clearTimeout(tooManyTimer); // back by other means (Reconnect): the planned retry has done its part
  session.user = frame.user;
  session.limits = frame.limits || null;
  session.name = frame.name;
  session.node = frame.node;
  $('me').textContent = frame.name;
  $('me').title = frame.user;
  $('node').textContent = frame.node;
  generation++;
  if (reconnecting) {
    reconnecting = false;
    notice(currentRoom(), 'Reconnected to node ' + frame.node + '.');
  }
  for (const room of rooms.values()) {
    if (room.kind === 'room') {
      join(room);
    } else {
      catchUp(room);
    }
  }
  findConversations();
}

export function onFrame(frame) {
  switch (frame.type) {
    case 'welcome': onWelcome(frame); break;
    case 'message': onMessage(frame); break;
    case 'private': onPrivate(frame); break;
    case 'presence': onPresence(frame); break;
    case 'joined': if (frame.id === undefined) onRestarted(frame); else leaveUnlessWanted(frame.room); break;
    case 'left': onLeft(frame); break;
    case 'error': notice(currentRoom(), describe(frame), 'error'); break;
    default: break;
  }
}

export function describe(err) {
  if (err.code === 'rate_limited') {
    // the node's own budget for replies of history (shared by all its users) says so: not this user's doing
    const what = (err.message || '').includes('new rooms') ? 'You made many new rooms and conversations lately'
      : (err.message || '').includes('for all its connections') ? 'The server is busy'
        : 'You are sending too fast';
    return what + ': try again in ' + Math.max(1, Math.ceil((err.retryAfterMs || 1000) / 1000)) + ' s.';
  }
  if (err.code === 'disconnected' && err.sent) {
    return 'The connection was lost before the server answered: your message may have been stored.';
  }
  if (err.code === 'disconnected') {
    return 'Not sent: the connection was lost. Your message is kept.';
  }
  return err.message || err.code || 'something went wrong';
}

/**
 * Runs {@code task} for {@code room} on the same link, if the room was not left meanwhile (a
 * retry would join it again): after RETRY_MS, doubling with each retry of the room on this link
 * up to eight times that, spread by a quarter either way, or after {@code err}'s retryAfterMs if
 * that is longer. After a node dies all its users reconnect at once, and retries in step would
 * come back to the cluster in waves while it moves that node's data.
 */
export function later(room, task, err) {
  const on = generation;
  room.retries = room.retriesOn === on ? room.retries + 1 : 0;
  room.retriesOn = on;
  const wait = jittered(RETRY_MS * 2 ** Math.min(3, room.retries));
  setTimeout(() => {
    if (on === generation && state.link && state.link.connected && rooms.get(room.name) === room) {
      task();
    }
  }, Math.max(wait, (err && err.retryAfterMs) || 0));
}

/** {@code ms}, a quarter more or less at random. */
function jittered(ms) {
  return Math.round(ms * (0.75 + Math.random() * 0.5));
}

/**
 * A request that the cluster may refuse for a moment ("unavailable": a node just came back and
 * the cluster is still moving its data; "rate_limited": reads came faster than their bucket),
 * asked again: "unavailable" up to ten times, a second apart at first and then up to eight,
 * spread at random; "rate_limited" after the asked wait, as long as the link lasts.
 */
export async function readRetrying(frame) {
  const on = generation;
  for (let attempt = 1; ; ) {
    try {
      return await state.link.request(frame);
    } catch (err) {
      // reads have a bucket (a burst of 40 or more, then 20 a second or more): a reconnect that
      // fills many rooms' gaps may drain it, and waiting is all it asks, as long as the link
      // lasts. Spread out, so that the readers waiting do not all ask again at once.
      const limited = err.code === 'rate_limited';
      if ((!limited && (err.code !== 'unavailable' || attempt++ >= 10)) || !state.link || !state.link.connected) {
        throw err;
      }
      const pause = limited ? Math.min(10000, err.retryAfterMs || 1000) + Math.random() * 500
        : jittered(1000 * 2 ** Math.min(3, attempt - 2)); // 1 s, doubling to 8 s
      await new Promise(resolve => setTimeout(resolve, pause));
      if (on !== generation) {
        // the link was lost during the pause: the new one's rejoin reads what is missing
        throw { code: 'disconnected', message: 'the connection was lost' };
      }
    }
  }
}
