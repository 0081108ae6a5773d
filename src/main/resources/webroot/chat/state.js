// What every part of the chat page shares: its settings (with the query string's tuning knobs),
// the elements it writes to, the signed-in session, the rooms and conversations kept, and local
// storage.

export const V = window.SwitchboardView;
export const { claimsOf } = window.switchboardJwt;
export const STORE = 'switchboard.chat';
export const DEFAULT_ROOM = 'lobby';
export const PAGE = 50;
export const NEAR_BOTTOM_PX = 40;
export const NEAR_TOP_PX = 80;

// tuning knobs in the query string, for tests and odd networks: ?pingMs=…&pongTimeoutMs=…
// Each has a floor: a link with ?pongTimeoutMs=1&retryMinMs=1 sent to someone made their page
// drop and reopen its connection without pause, a leave and a join in every room each time.
const query = new URLSearchParams(location.search);
const knob = (name, fallback, floor) => {
  const value = Number(query.get(name));
  return Number.isFinite(value) && value > 0 ? Math.max(floor, value) : fallback;
};
export const tuning = {
  pingMs: knob('pingMs', 25000, 250),
  pongTimeoutMs: knob('pongTimeoutMs', 10000, 500),
  retryMinMs: knob('retryMinMs', 1000, 200),
  retryMaxMs: knob('retryMaxMs', 30000, 1000),
  healthyMs: knob('healthyMs', 30000, 1000),
  welcomeMs: knob('welcomeMs', 15000, 1000),
  // at least the node's own 5 s deadline and a second: sooner, answers still coming are given up
  requestTimeoutMs: knob('requestTimeoutMs', 15000, 6000),
  maxItems: knob('maxItems', 1000, 20),
  // a node that died still counts its connections until the cluster declares it dead
  // (cluster.failureTimeout, 10 s by default)
  tooManyRetryMs: knob('tooManyRetryMs', 15000, 500),
};

export const $ = id => document.getElementById(id);
export const log = $('log');
export const input = $('input');

// who is signed in: the login typed (for a new dev token), the token, and what welcome said
export const session = { login: null, token: null, exp: null, mode: null, user: null, name: null, node: null, limits: null, welcomed: false };
export const rooms = new Map();
/** The room shown (its name), and the link to the node (null while signed out). */
export const state = { current: null, link: null };
/** Errors that say "not now" rather than "no": a join or a gap read is tried again after this. */
export const TRANSIENT = ['unavailable', 'timeout', 'internal', 'rate_limited'];
/** Notices told while no room is open, shown in the empty log: the latest few. */
export const looseNotices = [];
export const MAX_LOOSE_NOTICES = 5;
export const RETRY_MS = 3000;

export function store(key, value) {
  try {
    if (value === null) {
      localStorage.removeItem(STORE + '.' + key);
    } else {
      localStorage.setItem(STORE + '.' + key, JSON.stringify(value));
    }
  } catch (e) {
    // private browsing or a full storage: the page works, it just forgets
  }
}

export function stored(key) {
  try {
    return JSON.parse(localStorage.getItem(STORE + '.' + key));
  } catch (e) {
    return null;
  }
}
