// Where the keyboard's focus goes when what held it goes away, the narrow layout's panels, and
// the message box's height.
import { $, input } from './state.js';

/**
 * Where a keyboard's focus goes when what held it is hidden: the message box, or the join box
 * (on a narrow screen, with the room list closed, the button that opens it).
 */
export function focusHome() {
  const to = $('composer').hidden || $('app').hidden ? $('join-room') : input;
  (to.getClientRects().length ? to : $('menu')).focus();
}

/** Hides an element; the focus in it goes home, not to the page's body (and the top of the page). */
export function hideKeepingFocus(el) {
  const had = el.contains(document.activeElement);
  el.hidden = true;
  if (had) {
    focusHome();
  }
}

export function fitInput() {
  input.style.height = 'auto';
  input.style.height = Math.min(160, input.scrollHeight + 2) + 'px';
}

/** Closes the narrow layout's panels; focus inside one goes to `returnTo` (default: the message box), not to the page. */
export function closeOverlays(returnTo) {
  const inside = ['sidebar', 'members'].some(id => $(id).classList.contains('open') && $(id).contains(document.activeElement));
  if (inside) {
    (returnTo || input).focus();
  }
  $('sidebar').classList.remove('open');
  $('members').classList.remove('open');
  $('menu').setAttribute('aria-expanded', 'false');
  $('members-toggle').setAttribute('aria-expanded', 'false');
}

export function toggle(panel, button) {
  const open = !$(panel).classList.contains('open');
  closeOverlays();
  $(panel).classList.toggle('open', open);
  $(button).setAttribute('aria-expanded', String(open));
  if (open) {
    const first = $(panel).querySelector('input:not(:disabled), button:not(:disabled)'); // your own entry in the members is disabled
    if (first) {
      first.focus();
    }
  }
}
