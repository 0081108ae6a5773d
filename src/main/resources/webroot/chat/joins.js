// Joining a room, and rejoining it after a reconnect with `since`: what was missed is recovered
// in the reply, or read page by page. Live messages, held while a join is under way.
import { TRANSIENT, rooms, state } from './state.js';
import { describe, later, readRetrying } from './connection.js';
import { dropRoom, sendLeave } from './rooms.js';
import { addMessage, forgetBefore, forgetLog, keptAfterTrim, notice } from './messages.js';
import { renderHead, renderLists, renderMembers } from './render.js';
import { fillViewport, renderLog, renderLogKeepingPlace } from './log-view.js';
import { notifyOf } from './notifications.js';

export async function join(room) {
  if (!state.link || !state.link.connected || room.joining) {
    return;
  }
  const rejoin = room.epoch !== null;
  const frame = { type: 'join', room: room.name };
  if (rejoin) {
    // where the gap starts, kept until it is read: live frames that come while this join is
    // retried move lastSeq past it (a gap still being read when the link dropped counts too)
    if (room.missingFrom == null) {
      room.missingFrom = room.lastSeq;
    }
    frame.since = { seq: room.missingFrom, epoch: room.epoch };
  }
  room.joining = true;
  try {
    applyJoined(room, await state.link.request(frame), rejoin);
  } catch (err) {
    room.joining = false;
    room.early = []; // not joined: the next join's reply says where the log starts
    if (err.code === 'disconnected') {
      return;
    }
    // a rejoin refused forbidden: the token that came since no longer grants the room
    if ((!rejoin && ['forbidden', 'bad_request', 'limit'].includes(err.code)) || err.code === 'forbidden') {
      // one that came from another tab's list and was refused here (this tab's token may grant
      // less) goes from this tab only: the others keep it
      dropRoom(room, 'Could not join ' + room.name + ': ' + describe(err), room.adopted && !rejoin);
    } else if (TRANSIENT.includes(err.code)) {
      // a node that just came back refuses for a moment while the cluster moves its data (or
      // joins came faster than their bucket, twice maxRooms): left alone, the room would stay
      // silent until the next reconnect
      if (!room.retrying) {
        notice(room, 'Could not join yet (' + describe(err) + '). Trying again…', 'error');
      }
      room.retrying = true;
      later(room, () => join(room), err); // a budget of new rooms spent may ask for longer
    } else {
      room.retrying = false; // asked for again (a send, the join box), it is tried anew
      notice(room, 'Could not join: ' + describe(err), 'error');
    }
  }
}

function applyJoined(room, reply, rejoin) {
  if (rooms.get(room.name) !== room) {
    // left meanwhile (here, or in another tab): the node counts this connection in it now
    leaveUnlessWanted(room.name);
    return;
  }
  room.joining = false;
  room.joined = true;
  room.retrying = false;
  room.members = new Map((reply.members || []).map(m => [m.user, m.name]));
  room.count = reply.count;
  const history = reply.history || [];
  // a log that began again (a healed split brain) may hold what the page had already, under new
  // seqs: only messages newer than the newest it had count as unread (ts: ISO, comparable as text)
  const reset = rejoin && reply.epoch !== room.epoch;
  const hadUpTo = reset ? room.items.reduce((t, i) => i.kind === 'message' && i.ts > t ? i.ts : t, '') : '';
  if (reset) {
    forgetLog(room);
    // a room nobody wrote in is forgotten once empty, and comes back with a new epoch: nothing lost
    if (room.lastSeq > 0) {
      notice(room, 'The history of this room was reset by the service.', 'error');
    }
    room.lastSeq = 0;
    if (room.name === state.current) {
      renderLog();
    }
  } else if (rejoin && !reply.recovered) {
    const from = room.missingFrom != null ? room.missingFrom : room.lastSeq;
    const first = history.length ? history[0].seq : reply.seq + 1;
    const keep = keptAfterTrim();
    if (first - 1 - from > keep) {
      // more was missed than the page keeps (a room that keeps a long history): read all, it
      // was page after page, each redrawing the whole log, only to be trimmed away after. The
      // newest of it are read now; the rest, and what came before, by scrolling up
      const skipped = first - 1 - from - keep;
      forgetBefore(room, first);
      room.missingFrom = null;
      if (room.name !== state.current || document.hidden) {
        room.unread += skipped;
      }
      notice(room, skipped + ' earlier messages came while you were away: scroll up to read them.');
      fillGap(room, first - 1 - keep, first);
    } else if (first > from + 1) {
      fillGap(room, from, first);
    } else {
      room.missingFrom = null;
    }
  } else if (rejoin) {
    room.missingFrom = null; // recovered: everything after the since is in the reply
  }
  history.forEach(m => addMessage(room, m, rejoin && (!reset || m.ts > hadUpTo), true));
  if (room.name === state.current) {
    renderLogKeepingPlace();
  }
  if (!rejoin || room.minSeq === Infinity || room.minSeq === history[0]?.seq) {
    room.more = room.minSeq !== Infinity && room.minSeq > 1;
  }
  room.epoch = reply.epoch;
  room.lastSeq = Math.max(room.lastSeq, reply.seq);
  const early = room.early;
  room.early = [];
  early.forEach(onMessage);
  renderLists();
  if (room.name === state.current) {
    renderHead();
    renderMembers();
    fillViewport();
  }
}

/**
 * A rejoin that could not recover (too much missed, or too large to send at once) holds the
 * latest messages: reads the ones between the last seen and those, page by page, and says how
 * many are no longer kept.
 */
async function fillGap(room, lastSeen, first) {
  let after = lastSeen;
  let lost = 0;
  // lastSeq moves on with the reply and the live stream; this remembers where the gap starts
  room.missingFrom = room.missingFrom != null ? Math.min(room.missingFrom, lastSeen) : lastSeen;
  if (room.filling) {
    return; // a read of this gap is under way
  }
  const mine = {};
  room.filling = mine; // onLost takes it away: then this read ends without touching the next one's
  try {
    while (after < first - 1) {
      const page = await readRetrying({ type: 'history', room: room.name, after, limit: 100 });
      if (room.filling !== mine) {
        return; // the link was lost, or the log restarted (forgetLog): this page is of no use now
      }
      const oldest = page.messages.length ? page.messages[0].seq : first;
      if (after === lastSeen && oldest > lastSeen + 1) {
        lost = Math.min(oldest, first) - lastSeen - 1;
      }
      page.messages.filter(m => m.seq < first).forEach(m => addMessage(room, m, true, true));
      if (room.name === state.current) {
        renderLogKeepingPlace();
      }
      renderLists(); // the unread badge and the title count these too
      if (!page.more || !page.messages.length) {
        break;
      }
      after = page.messages[page.messages.length - 1].seq;
      room.missingFrom = after; // shown up to here: a retry or a rejoin goes on from it
    }
  } catch (err) {
    if (room.filling !== mine) {
      return;
    }
    room.filling = false;
    if (TRANSIENT.includes(err.code)) {
      if (!room.gapRetrying) {
        notice(room, 'Could not load the messages sent while you were away (' + describe(err) + '). Trying again…', 'error');
      }
      room.gapRetrying = true;
      // what was read is shown; the rest is asked for from the last seq read
      const epoch = room.epoch; // a log restarted meanwhile has its own gaps, read by its own join
      later(room, () => room.epoch === epoch && room.missingFrom != null && fillGap(room, room.missingFrom, first), err);
    } else if (err.code !== 'disconnected') {
      notice(room, 'Could not load the messages sent while you were away: ' + describe(err), 'error');
    }
    return;
  }
  if (room.filling !== mine) {
    return; // the link was lost meanwhile: the rejoin's own read decides
  }
  room.filling = false;
  room.gapRetrying = false;
  room.missingFrom = null;
  if (lost > 0) {
    notice(room, lost + ' messages sent while you were away are no longer kept.', 'error');
  }
}

export function onMessage(frame) {
  const room = rooms.get(frame.room);
  if (!room || room.kind !== 'room') {
    return;
  }
  if (room.joining) {
    room.early.push(frame); // the joined reply is on its way; it says where the log starts
    return;
  }
  if (addMessage(room, frame, true)) {
    room.lastSeq = Math.max(room.lastSeq, frame.seq);
    notifyOf(room, frame);
    if (room.name !== state.current || document.hidden) {
      renderLists(); // an unread count may have changed; the room being read changes nothing there
    }
  }
}

/**
 * The node says a room's log restarted under us (it was lost, or a split brain healed): its
 * seqs name other messages now, so the room is read anew from this frame, as after a rejoin.
 */
export function onRestarted(frame) {
  const room = rooms.get(frame.room);
  if (room && room.kind === 'room' && room.joined && !room.joining) {
    applyJoined(room, frame, true);
  }
}

/**
 * A join was answered (in time, or after the page stopped waiting for it): the node made this
 * connection a member. A room left meanwhile is left again (else the node kept sending it, and
 * counted it against maxRooms); one still wanted is joined by its retry.
 */
export function leaveUnlessWanted(name) {
  if (!rooms.has(name)) {
    sendLeave(name);
  }
}
