// Switchboard chat page over PROTOCOL.md: sign-in, rooms, private conversations, members and
// history. This module wires the page's controls and starts it; its parts are in chat/:
//   state.js          settings, the signed-in session, the rooms kept, local storage
//   tokens.js         development tokens and their renewal, pasted tokens
//   signin.js         the sign-in forms, starting and ending a session
//   connection.js     the link's events (welcome, lost, ended), frames to their handlers, retries
//   rooms.js          the room list: restored, followed across tabs, joined by name, left; presence
//   joins.js          joining a room, what a rejoin missed, live messages
//   messages.js       a room's messages by seq, notices, trimming
//   conversations.js  private conversations: listed, caught up, begun again
//   sending.js        sends, and what is known of one whose answer never came
//   render.js         the lists, the room's head and its members
//   log-view.js       the message log on screen: drawn, kept in place, paged back
//   layout.js         where the focus goes, the narrow layout's panels
//   notifications.js  desktop notifications of private messages and mentions, out of sight
// chat-link.js (the WebSocket link) and chat-view.js (message elements) are plain scripts that
// the page loads first. Plain JavaScript modules: no dependencies, no build step.
import { $, NEAR_TOP_PX, STORE, V, input, log, rooms, session, state, tuning } from './chat/state.js';
import { onRenew, refreshToken, useToken } from './chat/tokens.js';
import { closeOverlays, fitInput, focusHome, toggle } from './chat/layout.js';
import { boot, onLogin, onTokenLogin, signOut } from './chat/signin.js';
import { adoptRooms, currentRoom, joinByName, leave } from './chat/rooms.js';
import { notice } from './chat/messages.js';
import { conversation, conversationsListed } from './chat/conversations.js';
import { send } from './chat/sending.js';
import { renderLists, select } from './chat/render.js';
import { loadOlder, nearBottom, scrollToBottom } from './chat/log-view.js';
import { renderBell, toggleNotifications } from './chat/notifications.js';

window.addEventListener('storage', event => {
  if (session.login && event.key === STORE + '.notify.' + session.login.user) {
    renderBell(); // turned on or off in another tab
    return;
  }
  if (session.login && event.key === STORE + '.login') {
    // signed out in another tab (the login kept without its token, or gone): on a shared
    // computer this tab must not stay signed in, nor write its token back with a renewal
    let login = null;
    try {
      login = JSON.parse(event.newValue);
    } catch (e) {
      // unreadable: as gone
    }
    if (!login || (login.user === session.login.user && !login.token)) {
      signOut('Signed out in another tab.');
    }
    return;
  }
  if (!session.login || event.key !== STORE + '.rooms.' + session.login.user || !event.newValue) {
    return;
  }
  try {
    adoptRooms(JSON.parse(event.newValue));
  } catch (e) {
    // not ours to read: left as it is
  }
});

$('login-form').addEventListener('submit', onLogin);
$('token-form').addEventListener('submit', onTokenLogin);
$('renew').addEventListener('submit', onRenew);
$('signout').addEventListener('click', () => signOut(''));
$('notify').addEventListener('click', toggleNotifications);
$('retry').addEventListener('click', () => state.link && state.link.now());
$('menu').addEventListener('click', () => toggle('sidebar', 'menu'));
$('members-toggle').addEventListener('click', () => toggle('members', 'members-toggle'));
$('new-marker').addEventListener('click', event => {
  scrollToBottom(); // which hides this button: from a keyboard, it goes on in the message box
  if (event.detail === 0) {
    focusHome(); // not for a tap: a phone would open its keyboard over what was just shown
  }
});
$('leave').addEventListener('click', () => currentRoom() && leave(currentRoom()));
$('join-form').addEventListener('submit', event => {
  event.preventDefault();
  const name = $('join-room').value.trim();
  if (name) {
    $('join-room').value = '';
    joinByName(name);
  }
});
$('dm-form').addEventListener('submit', event => {
  event.preventDefault();
  const peer = $('dm-user').value.trim();
  if (!peer) {
    return;
  }
  if (peer === session.user) {
    notice(currentRoom(), 'A private conversation needs someone else.', 'error');
    return;
  }
  $('dm-user').value = '';
  select(conversation(peer, null).name);
});
// a click or tap on Send leaves the focus in the message box (and a phone's keyboard open):
// the button, disabled while the message goes, would hold it and let it drop to the page
$('send').addEventListener('mousedown', event => event.preventDefault());
$('composer').addEventListener('submit', event => {
  event.preventDefault();
  send();
  input.focus();
});
input.addEventListener('keydown', event => {
  // keyCode 229: Safari ends an input method's composition before the Enter that confirms it
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
    event.preventDefault();
    send();
  }
});
input.addEventListener('input', fitInput);
log.addEventListener('scroll', () => {
  if (nearBottom()) {
    $('new-marker').hidden = true;
  }
  if (log.scrollTop < NEAR_TOP_PX) {
    loadOlder();
  }
});
document.addEventListener('keydown', event => {
  if (event.key === 'Escape') {
    // back to the button that opened the panel
    closeOverlays($('sidebar').classList.contains('open') ? $('menu') : $('members-toggle'));
  }
});
// a page open past midnight: yesterday's times get their day, checked each minute and when the
// page is back in sight (a laptop that slept through the night fires its timers late)
let drawnDay = new Date().toDateString();
function redrawDaysIfNewDay() {
  const now = new Date();
  if (now.toDateString() !== drawnDay) {
    drawnDay = now.toDateString();
    V.redrawDays(log, now);
  }
}
setInterval(redrawDaysIfNewDay, 60000);
let hiddenSince = document.hidden ? performance.now() : null;
document.addEventListener('visibilitychange', () => {
  if (!document.hidden) {
    redrawDaysIfNewDay();
    renderBell(); // notifications allowed or blocked in the browser's settings meanwhile
  }
  const room = currentRoom();
  if (!document.hidden && room && room.unread) {
    room.unread = 0;
    renderLists();
  }
  // back after longer than a ping's interval (a laptop that slept, a tab the browser throttled):
  // whether the link survived is asked now, not at the next timed ping
  if (!document.hidden && hiddenSince !== null && performance.now() - hiddenSince > tuning.pingMs && state.link) {
    state.link.check();
  }
  hiddenSince = document.hidden ? performance.now() : null;
});
// skips a back-off wait; a link that ended for good (kicked, too many connections) stays ended;
// a link that looks open is asked for a pong, for the network under it may have changed
window.addEventListener('online', () => {
  if (state.link && state.link.connected) {
    state.link.check();
  } else if (state.link && !state.link.stopped) {
    state.link.now();
  }
});

// for tests and the curious: the state behind the page
window.switchboardChat = {
  rooms, session, tuning, link: () => state.link, current: () => state.current, refreshToken, useToken,
  conversationsListed: () => conversationsListed,
};

boot();
