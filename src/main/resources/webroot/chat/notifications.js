// Desktop notifications, which the person turns on with the bell in the header: a private
// message, or a room message that mentions them ("@user"), while this page is out of sight
// (another tab, another window in front). Never for their own messages, nor for what a join or
// a reconnect reads back: only live frames come here. One per room or conversation at a time
// (the tag), so a busy conversation does not stack them up.
import { $, V, rooms, session, store, stored } from './state.js';
import { notice } from './messages.js';
import { currentRoom } from './rooms.js';
import { select } from './render.js';

const supported = () => 'Notification' in window;

/** Where this user's choice is kept: per user, for a browser that several people sign in to. */
const key = () => 'notify.' + session.login.user;

/** Whether notifications are on: asked for here, and allowed by the browser. */
function on() {
  return supported() && session.login !== null && Notification.permission === 'granted' && stored(key()) === true;
}

/** Shows the bell as it is: on or off; not at all where the browser has no notifications. */
export function renderBell() {
  const bell = $('notify');
  bell.hidden = session.login === null || !supported();
  bell.setAttribute('aria-pressed', String(on()));
  bell.title = on() ? 'Notifications are on: select to turn them off'
    : 'Notify me of private messages and mentions while this page is out of sight';
}

/** The bell: asks the browser's permission the first time, then turns notifications on or off. */
export async function toggleNotifications() {
  if (!supported() || session.login === null) {
    return;
  }
  const login = session.login;
  if (on()) {
    store(key(), false);
  } else if (Notification.permission === 'granted') {
    store(key(), true);
  } else if (Notification.permission === 'denied') {
    notice(currentRoom(), 'Notifications are blocked for this page in your browser\'s settings for the site.', 'error');
  } else {
    const answer = await Notification.requestPermission();
    if (session.login !== login) {
      return; // signed out meanwhile: the next person's choice is theirs
    }
    if (answer === 'granted') {
      store(key(), true);
    } else {
      notice(currentRoom(), 'Notifications were not allowed: the browser asks again next time you select the bell.', 'error');
    }
  }
  renderBell();
}

/** A live frame that was new to {@code room}: told as a notification if it is for this person and the page is out of sight. */
export function notifyOf(room, frame) {
  if (!document.hidden && document.hasFocus()) {
    return;
  }
  if (frame.from === session.user && frame.via !== 'api') {
    return; // their own, from another tab or device
  }
  const isPrivate = room.kind === 'dm';
  // the stored choice last: read from local storage, not for every message of a busy room
  if ((!isPrivate && !V.mentions(frame.text, session.user)) || !on()) {
    return;
  }
  // the id beside a display name that is not it, as in the log: anyone may call themselves "Alice"
  const who = frame.name && frame.name !== frame.from ? frame.name + ' (@' + frame.from + ')' : frame.from;
  const text = typeof frame.text === 'string' ? frame.text : '';
  try {
    const shown = new Notification(isPrivate ? 'Private message from ' + who : who + ' in #' + room.name, {
      body: text.length > 200 ? text.slice(0, 199) + '…' : text, // text: a notification renders no markup
      tag: room.name,
    });
    shown.onclick = () => {
      window.focus();
      if (rooms.get(room.name) === room) {
        select(room.name);
      }
      shown.close();
    };
  } catch (e) {
    // a browser that shows them only from a service worker (Chrome on Android): none here
  }
}
