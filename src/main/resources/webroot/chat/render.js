// Drawing the room and conversation lists, the shown room's head and its members, keeping the
// elements that stay (and a keyboard user's focus on them).
import { $, V, input, log, rooms, session, state } from './state.js';
import { closeOverlays, fitInput, focusHome } from './layout.js';
import { currentRoom, saveRooms } from './rooms.js';
import { conversation } from './conversations.js';
import { fillViewport, nearBottom, renderLog, scrollToBottom } from './log-view.js';

export function renderAll() {
  renderLists();
  renderHead();
  renderLog();
  renderMembers();
  scrollToBottom();
}

export function select(name) {
  const previous = currentRoom();
  if (previous) {
    previous.scroll = nearBottom() ? null : log.scrollTop;
    previous.draft = input.value; // what was being written stays with its room
  }
  state.current = name;
  const room = currentRoom();
  if (room) {
    room.unread = 0;
  }
  input.value = room ? room.draft : '';
  fitInput();
  saveRooms();
  renderLists();
  renderHead();
  renderMembers();
  renderLog();
  if (room && room.scroll !== null) {
    log.scrollTop = room.scroll;
  } else {
    scrollToBottom();
  }
  closeOverlays();
  fillViewport();
  updateTitle();
}

function updateTitle() {
  const unread = [...rooms.values()].reduce((sum, r) => sum + r.unread, 0);
  document.title = (unread ? '(' + unread + ') ' : '') + 'Switchboard';
}

/** A room's entry in its list: a button that selects it, with its unread count. */
function listButton(room, label) {
  const li = V.el('li');
  const button = V.el('button');
  button.type = 'button';
  button.dataset.room = room.name;
  button.addEventListener('click', () => select(button.dataset.room));
  li.append(button);
  fillButton(button, room, label);
  return li;
}

/**
 * Puts a room's label and unread count in its button, if they changed. The button itself stays:
 * a keyboard or screen-reader user's focus is not moved, nor the button read out again, on
 * every message or join elsewhere.
 */
function fillButton(button, room, label) {
  button.setAttribute('aria-current', String(room.name === state.current));
  const sig = label.textContent + '\u0000' + room.unread;
  if (button.dataset.sig === sig) {
    return;
  }
  button.dataset.sig = sig;
  button.replaceChildren(label);
  if (room.unread > 0) {
    // an aria-label on a span is not read out: the words themselves, for screen readers only
    button.append(V.el('span', 'badge', String(room.unread)), V.el('span', 'sr-only', ' unread'));
  }
}

/** Brings {@code list} to {@code entries} ([room, label], in order), keeping the items it already has. */
function renderList(list, entries) {
  const had = new Map([...list.children].map(li => [li.firstChild && li.firstChild.dataset.room, li]));
  placeInOrder(list, entries.map(([room, label]) => {
    const li = had.get(room.name);
    if (!li) {
      return listButton(room, label);
    }
    fillButton(li.firstChild, room, label);
    return li;
  }));
}

/**
 * Makes {@code items} the children of {@code list}, in order, moving only those out of place:
 * an item that stays where it was keeps the focus a keyboard user has on it.
 */
function placeInOrder(list, items) {
  items.forEach((li, i) => {
    if (list.children[i] !== li) {
      list.insertBefore(li, list.children[i] || null);
    }
  });
  while (list.children.length > items.length) {
    list.lastChild.remove();
  }
}

export function renderLists() {
  const focused = document.activeElement;
  const sorted = [...rooms.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  renderList($('room-list'), sorted.filter(r => r.kind === 'room').map(room => [room, V.el('span', 'name', '# ' + room.name)]));
  renderList($('dm-list'), sorted.filter(r => r.kind === 'dm').map(room => {
    const label = document.createDocumentFragment();
    label.append(V.el('span', 'tag private', 'private'), V.el('span', 'name', room.peerName || room.peer));
    const uid = V.userIdEl(room.peerName, room.peer);
    if (uid) {
      label.append(uid);
    }
    if (room.online === false) {
      label.append(V.el('span', 'tag offline', 'offline'));
    }
    return [room, label];
  }));
  if (focused && focused.isConnected && document.activeElement !== focused && focused.closest('.list')) {
    focused.focus(); // moved within its list (a room added above it): the move took the focus
  }
  updateTitle();
}

export function renderHead() {
  const room = currentRoom();
  $('room-title').textContent = !room ? 'No room' : room.kind === 'dm' ? (room.peerName || room.peer) : '# ' + room.name;
  const kind = $('room-kind');
  kind.replaceChildren();
  if (room && room.kind === 'dm') {
    const uid = V.userIdEl(room.peerName, room.peer);
    if (uid) {
      kind.append(uid, ' ');
    }
    kind.append(V.el('span', 'tag private', 'private'));
    if (room.online !== undefined) {
      kind.append(' ', V.el('span', 'tag ' + (room.online ? 'online' : 'offline'), room.online ? 'online' : 'offline'));
    }
  }
  // a room not joined (the link is down, or its join is under way) has no count to trust
  $('room-count').textContent = room && room.kind === 'room' && room.joined ? String(room.count) : '–';
  $('members-toggle').hidden = !room || room.kind !== 'room';
  const inRoomControls = $('leave').contains(document.activeElement) || $('composer').contains(document.activeElement);
  $('leave').hidden = !room;
  $('leave').textContent = room && room.kind === 'dm' ? 'Close' : 'Leave';
  $('composer').hidden = !room;
  if (!room && inRoomControls) {
    focusHome(); // the last room left: the join box, not the top of the page
  }
}

export function renderMembers() {
  const room = currentRoom();
  const list = $('member-list');
  if (!room || room.kind !== 'room' || !room.joined) {
    list.replaceChildren(); // not joined: who is there is not known
    $('members-count').textContent = '';
    return;
  }
  $('members-count').textContent = '(' + room.count + ')';
  const users = [...room.members.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  // the members already listed keep their items: a keyboard or screen-reader user's focus is
  // not moved, nor the member read out again, on every join and leave; when the focused member
  // leaves, the focus goes to the next one
  const focused = list.contains(document.activeElement) ? document.activeElement : null;
  const had = new Map([...list.children].map(li => [li.firstChild.dataset.user + '\u0000' + li.firstChild.dataset.name, li]));
  placeInOrder(list, users.map(([user, name]) => had.get(user + '\u0000' + name) || memberItem(user, name)));
  if (focused && document.activeElement !== focused) {
    const buttons = [...list.querySelectorAll('button:not(:disabled)')];
    const again = focused.isConnected ? focused
      : buttons.find(b => b.dataset.user >= focused.dataset.user) || buttons[buttons.length - 1];
    if (again) {
      again.focus();
    }
  }
}

/** A member's item: a button that opens a private conversation with them (not with oneself). */
function memberItem(user, name) {
  const li = V.el('li');
  const button = V.el('button');
  button.type = 'button';
  button.dataset.user = user;
  button.dataset.name = name;
  button.title = user;
  button.append(V.el('span', 'name', name));
  const uid = V.userIdEl(name, user);
  if (uid) {
    button.append(uid);
  }
  if (user === session.user) {
    button.append(V.el('span', 'you', 'you'));
    button.disabled = true;
  } else {
    button.setAttribute('aria-label', 'Write privately to ' + name);
    button.addEventListener('click', () => {
      select(conversation(user, name).name);
      input.focus(); // the focus goes where the private message is written
    });
  }
  li.append(button);
  return li;
}
