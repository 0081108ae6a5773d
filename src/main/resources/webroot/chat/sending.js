// Sending what is in the message box: publish or private, refused here when over the welcome's
// limits, held after rate_limited, and kept (with its key) when its outcome is unknown.
import { $, input, rooms, session, state } from './state.js';
import { fitInput } from './layout.js';
import { describe } from './connection.js';
import { currentRoom } from './rooms.js';
import { join } from './joins.js';
import { notice, storedAfterAll } from './messages.js';
import { renderHead, renderLists } from './render.js';

/** A send is waiting for its answer: the box sends nothing more until then. */
let sending = false;
// after a rate_limited refusal, sends wait out its retryAfterMs and at least a second: each
// refusal counts toward the node's close with 4008 (20 within 10 s), and Enter held down got
// there; one refusal a second at most stays under it whatever the rate
let heldUntil = 0;
let heldTimer = null;

/** 16 random bytes in hex: crypto.getRandomValues works on plain http too, randomUUID does not. */
function newKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('');
}

export async function send() {
  const room = currentRoom();
  const text = input.value;
  if (!room || sending || text.trim() === '' || performance.now() < heldUntil) {
    return;
  }
  if (!state.link || !state.link.connected) {
    notice(room, 'Not connected: your message is kept. Send it again once connected.', 'error');
    return;
  }
  if (room.kind === 'room' && !room.joined) {
    // the rejoin after a reconnect is under way or waits to be tried again: a publish now is
    // refused not_member while the room looks joined; one that failed for good is tried anew
    if (!room.joining && !room.retrying) {
      join(room);
    }
    notice(room, 'Joining ' + room.name + '…: your message is kept. Send it again once joined.', 'error');
    return;
  }
  // the message's key: the same text sent again after an unsure outcome keeps it, so that the
  // node stores it once and answers with its first seq (a `key` the node does not know is ignored)
  const key = room.unsure && room.unsure.text === text ? room.unsure.key : newKey();
  const frame = room.kind === 'dm'
    ? { type: 'private', to: room.peer, text, key }
    : { type: 'publish', room: room.name, text, key };
  const tooLong = overLimits(frame, text);
  if (tooLong) {
    notice(room, tooLong, 'error'); // the text stays in the box, to be shortened
    return;
  }
  sending = true;
  // the seqs it is judged by are this log's: a log that began again meanwhile (a healed split
  // brain; a conversation's, which has no epoch) numbers its messages anew, and an earlier
  // message of the same text could pass for it
  const seenBefore = room.maxSeq;
  const logBefore = room.logResets;
  $('send').disabled = true;
  try {
    const ack = await state.link.request(frame);
    room.unsure = null; // what the user sends next here is what counts
    clearDraft(room, text);
    if (room.kind === 'dm' && typeof ack.online === 'boolean') {
      const was = room.online;
      room.online = ack.online;
      if (!ack.online && was !== false) {
        notice(room, room.peerName + ' is offline: the message is kept for them to read later.');
      }
      renderLists();
      renderHead();
    }
  } catch (err) {
    if (err.code === 'timeout' || err.code === 'unavailable' || (err.code === 'disconnected' && err.sent)) {
      const sameLog = room.logResets === logBefore;
      room.unsure = { text, after: sameLog ? seenBefore : Infinity, epoch: room.epoch, key };
      notice(room, describe(err) + (err.code === 'unavailable' ? ' It stays in the box.'
        : ' It stays in the box, and goes from it if it shows up here.'), 'error');
      // its own frame may have come before the link broke (not if the log began again meanwhile)
      if (room.items.some(i => i.kind === 'message' && i.seq > room.unsure.after && i.from === session.user
          && i.via !== 'api' && i.text === text)) {
        storedAfterAll(room);
      }
    } else {
      notice(room, describe(err), 'error');
      if (err.code === 'rate_limited') {
        heldUntil = performance.now() + Math.max(1000, err.retryAfterMs || 0);
      }
      if (err.code === 'not_member' && room.kind === 'room' && room.joined && !room.joining
          && rooms.get(room.name) === room) { // not one left meanwhile
        // the node no longer counts this connection in the room (no `left` said so): joined
        // again with since, it gets what it missed; the text stays in the box
        room.joined = false;
        join(room);
      }
    }
  } finally {
    sending = false;
    const held = heldUntil - performance.now();
    $('send').disabled = held > 0;
    if (held > 0) {
      clearTimeout(heldTimer);
      heldTimer = setTimeout(() => { $('send').disabled = false; }, held);
    }
  }
}

/**
 * Why the node would refuse this send, from the limits its welcome gave, or null. A frame over
 * maxFrameBytes would close the connection (1009), and the reconnect would leave the send's fate
 * unknown; a text over maxTextChars is answered too_large: both are said here instead.
 */
function overLimits(frame, text) {
  const limits = session.limits;
  if (!limits) {
    return null;
  }
  const chars = [...text].length;
  if (limits.maxTextChars && chars > limits.maxTextChars) {
    return 'Not sent: ' + chars + ' characters, and a message may have at most ' + limits.maxTextChars + '.';
  }
  // the id the link adds is a small number: 32 bytes leave room for it
  const bytes = new TextEncoder().encode(JSON.stringify(frame)).length + 32;
  if (limits.maxFrameBytes && bytes > limits.maxFrameBytes) {
    return 'Not sent: the message is ' + bytes + ' bytes long once encoded, and the service takes at most '
      + limits.maxFrameBytes + '.';
  }
  return null;
}

/** Empties the room's draft if it still holds {@code text} (the room may not be shown any more). */
export function clearDraft(room, text) {
  if (room.name === state.current) {
    if (input.value === text) {
      input.value = '';
      fitInput();
    }
  } else if (room.draft === text) {
    room.draft = '';
  }
}
