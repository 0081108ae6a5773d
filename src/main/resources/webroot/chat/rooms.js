// The rooms and conversations this page keeps: restored at sign-in, saved for the next visit,
// followed when another tab changes them, joined by name, left; presence in them.
import { DEFAULT_ROOM, input, rooms, session, state, store, stored } from './state.js';
import { fitInput } from './layout.js';
import { join } from './joins.js';
import { notice } from './messages.js';
import { catchUp, rememberClosed } from './conversations.js';
import { renderAll, renderHead, renderLists, renderMembers, select } from './render.js';

export function saveRooms() {
  if (!session.login) {
    return;
  }
  const list = [...rooms.values()];
  store('rooms.' + session.login.user, {
    rooms: list.filter(r => r.kind === 'room').map(r => r.name),
    conversations: list.filter(r => r.kind === 'dm').map(r => ({ room: r.name, peer: r.peer, peerName: r.peerName })),
    current: state.current,
  });
}

export function makeRoom(name, kind) {
  return {
    name, kind, peer: null, peerName: null, online: undefined,
    items: [], seqs: new Set(), minSeq: Infinity, maxSeq: 0, lastSeq: 0, epoch: null,
    joined: false, joining: false, early: [], loaded: false, retrying: false,
    missingFrom: null, filling: false, gapRetrying: false,
    members: new Map(), count: 0, more: false, loadingOlder: false, olderAfter: 0, unread: 0, scroll: null,
    draft: '',
    // the last send here whose outcome is unknown ({text, after, epoch, key}): it went out, but
    // no ack came (the link was lost, or no answer in time), so it may yet be stored. Watched
    // after `unavailable` too: PROTOCOL.md says nothing was stored, but an owner that stored it
    // and died before answering makes it show up later (see the README). Its text stays in the
    // box; if it shows up, the box is cleared, and sent again it keeps its key, so that it is
    // stored once. Per room: an unsure send elsewhere must not give this one's resend a new key.
    unsure: null,
    // how many times the page forgot this room's log (forgetLog): a send compares it
    logResets: 0,
  };
}

export function currentRoom() {
  return state.current ? rooms.get(state.current) || null : null;
}

export function restoreRooms() {
  rooms.clear();
  const saved = stored('rooms.' + session.login.user) || {};
  // lobby for someone new here; one who left every room stays out of them
  const names = Array.isArray(saved.rooms) ? saved.rooms : [DEFAULT_ROOM];
  names.forEach(name => rooms.set(name, makeRoom(name, 'room')));
  for (const c of Array.isArray(saved.conversations) ? saved.conversations : []) {
    rooms.set(c.room, savedConversation(c));
  }
  state.current = rooms.has(saved.current) ? saved.current : names.length ? names[0] : firstRoomName();
}

export function savedConversation(c) {
  const room = makeRoom(c.room, 'dm');
  room.peer = c.peer;
  room.peerName = c.peerName || c.peer;
  return room;
}

/**
 * Another tab of this user saved its rooms (it joined or left one, opened or closed a
 * conversation): this one follows, so that the next save of either does not undo the other's,
 * and a reload finds what the person last did in any tab. Nothing is saved back.
 */
export function adoptRooms(saved) {
  const names = new Set(Array.isArray(saved.rooms) ? saved.rooms : []);
  const conversations = new Map((Array.isArray(saved.conversations) ? saved.conversations : []).map(c => [c.room, c]));
  let changed = false;
  const shown = state.current;
  for (const room of [...rooms.values()]) {
    if (room.kind === 'room' ? !names.has(room.name) : !conversations.has(room.name)) {
      // every room, joined or not: a join that timed out may still have made this connection
      // a member (its late answer, if any, came while the room was still wanted); a leave of a
      // room the connection is not in is just answered left, and one sent after a join under
      // way takes effect after it (the node runs a connection's frames in order)
      if (room.kind === 'room') {
        sendLeave(room.name);
      }
      rooms.delete(room.name);
      changed = true;
    }
  }
  for (const name of names) {
    if (!rooms.has(name)) {
      const room = makeRoom(name, 'room');
      room.adopted = true;
      rooms.set(name, room);
      join(room);
      changed = true;
    }
  }
  for (const c of conversations.values()) {
    if (!rooms.has(c.room)) {
      const room = savedConversation(c);
      rooms.set(c.room, room);
      catchUp(room);
      changed = true;
    }
  }
  if (!changed) {
    return;
  }
  if (rooms.has(shown)) {
    renderLists(); // the room shown stays as it is, scrolled where it was
    renderHead();
    return;
  }
  state.current = firstRoomName();
  if (input.value === '' && currentRoom()) {
    input.value = currentRoom().draft; // a text being written stays in the box
    fitInput();
  }
  if (currentRoom()) {
    currentRoom().unread = 0;
  }
  renderAll();
  notice(currentRoom(), shown + ' was left in another tab.' + (currentRoom() && input.value && input.value !== currentRoom().draft
    ? ' What you were writing there is still in the box: it would now go to ' + state.current + '.' : ''));
}

export function onPresence(frame) {
  const room = rooms.get(frame.room);
  if (!room || room.kind !== 'room') {
    return;
  }
  if (frame.event === 'join') {
    room.members.set(frame.user, frame.name);
  } else {
    room.members.delete(frame.user);
  }
  room.count = frame.count;
  notice(room, frame.name + (frame.event === 'join' ? ' joined' : ' left'));
  // a peer seen joining is online; one that left every room shared with us may have gone:
  // unknown (no tag) until an ack or a message says, rather than "online" for good
  const shared = [...rooms.values()].some(r => r.kind === 'room' && r.members.has(frame.user));
  for (const dm of rooms.values()) {
    if (dm.kind === 'dm' && dm.peer === frame.user) {
      dm.online = frame.event === 'join' ? true : shared ? dm.online : undefined;
    }
  }
  renderLists();
  if (room.name === state.current) {
    renderHead();
    renderMembers();
  } else if (currentRoom() && currentRoom().peer === frame.user) {
    renderHead();
  }
}

export async function joinByName(name) {
  if (name.startsWith('dm:')) {
    // a private conversation is never joined: asked for here, its refused join dropped it
    if (rooms.has(name)) {
      select(name);
    } else {
      notice(currentRoom(), 'Private conversations open by user id, under "Private conversations".', 'error');
    }
    return;
  }
  if (!rooms.has(name)) {
    rooms.set(name, makeRoom(name, 'room'));
    saveRooms();
    join(rooms.get(name));
  } else if (!rooms.get(name).joined && !rooms.get(name).joining && !rooms.get(name).retrying) {
    join(rooms.get(name)); // its join failed: asking for it by name again tries again
  }
  select(name);
}

export async function leave(room) {
  if (room.kind === 'room') {
    sendLeave(room.name);
  } else {
    rememberClosed(room);
  }
  dropRoom(room, null);
  // said where the person lands: the focus stays on Leave, and the next room is not the one left
  notice(currentRoom(), 'You left ' + (room.kind === 'dm' ? 'the conversation with ' + room.peerName : room.name) + '.');
}

/** Tells the node this connection left the room; offline, nothing to tell (the rejoin will not join it). */
export function sendLeave(name) {
  if (state.link && state.link.connected) {
    state.link.request({ type: 'leave', room: name }).catch(() => { /* gone either way */ });
  }
}

/**
 * Takes the room off the page: left, refused, or no longer granted; `why`, if given, is told in
 * the room shown next. `here`: this tab only, the saved list (every tab's) keeps it.
 */
export function dropRoom(room, why, here) {
  if (rooms.get(room.name) !== room) {
    return; // gone already, or another tab's list put a new one in its place
  }
  rooms.delete(room.name);
  if (state.current === room.name) {
    state.current = firstRoomName();
    input.value = currentRoom() ? currentRoom().draft : '';
    fitInput();
    if (currentRoom()) {
      currentRoom().unread = 0; // shown now: its badge and the title's count go
    }
  }
  if (!here) {
    saveRooms();
  }
  renderAll();
  if (why) {
    notice(currentRoom(), why, 'error');
  }
}

/**
 * The node left the room for us (a `left` without id): the token renewed since no longer
 * grants it. Kept, it would look joined while nothing came and every send was refused.
 */
export function onLeft(frame) {
  const room = rooms.get(frame.room);
  if (frame.id === undefined && room && room.kind === 'room') {
    dropRoom(room, 'You no longer have access to ' + frame.room + ': your new sign-in does not grant it.');
  }
}

function firstRoomName() {
  const first = [...rooms.keys()].sort()[0];
  return first === undefined ? null : first;
}
