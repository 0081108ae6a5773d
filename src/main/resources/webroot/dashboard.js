// Switchboard cluster dashboard: signs in as an operator, joins $metrics and draws each node's
// metrics frames (one a second) over the last five minutes. Plain JavaScript, no dependencies;
// every value from the network is rendered with textContent.
(function () {
  'use strict';

  const { expiryOf } = window.switchboardJwt;
  const WINDOW_MS = 5 * 60 * 1000;
  const GONE_AFTER_MS = 5000;
  const COLORS = ['#667eea', '#f59e0b', '#10b981', '#ef4444', '#8b5cf6', '#0ea5e9', '#ec4899', '#84cc16'];
  const CHARTS = {
    connections: f => f.connections,
    messagesIn: f => f.messagesIn,
    messagesOut: f => f.messagesOut,
    heap: f => f.heapUsedBytes / (1024 * 1024),
    cpu: f => (f.cpu < 0 ? 0 : f.cpu * 100),
  };

  // no frame for this long on a link that gets one a second from every node: it is dead, even if
  // the browser has not noticed (a cut network closes nothing); ?staleMs=… for tests
  const STALE_MS = Number(new URLSearchParams(location.search).get('staleMs')) || 15000;

  // node id → { color, points: [{t, frame}], last, gone }
  const nodes = new Map();
  let socket = null;
  let reconnectTimer = null;
  let token = null;
  /** The user a development token was asked for (renewed by itself), or null for a pasted token. */
  let devUser = null;
  let refreshTimer = null;
  /** When a token refused `unauthorized` was last renewed: once a minute at most. */
  let renewedUnauthorizedAt = -Infinity; // performance.now(): a clock set back must not hold the renewal
  let retry = 1000;
  let connects = 0;
  /** Resolves the refresh waiting for the node's answer. */
  let refreshed = () => {};
  /** When the last frame came, once $metrics is joined; null before. */
  let lastFrameAt = null;
  /** When the link now opening was started, until its $metrics join answers (then lastFrameAt watches). */
  let openedAt = null;
  /** When the link now open joined $metrics: the back-off starts again once it has lived HEALTHY_MS. */
  let joinedAt = null;
  const HEALTHY_MS = 10000;

  const $ = id => document.getElementById(id);

  function setStatus(state, text) {
    const el = $('status');
    el.className = 'status ' + state;
    el.textContent = text;
  }

  async function devLogin(user) {
    const res = await fetch('/api/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ user: user, roles: ['admin'] }),
    });
    const body = await res.json().catch(() => ({}));
    if (!res.ok) {
      const err = new Error(res.status === 404 ? 'development login is off on this service'
        : body.message || ('sign-in failed (' + res.status + ')'));
      // 404 (turned off) or another refusal that asking again will not change; 429 and 5xx will
      err.final = res.status < 500 && res.status !== 429;
      throw err;
    }
    return body.token;
  }

  function start(newToken, user) {
    devUser = user || null;
    setToken(newToken);
    const signingIn = $('signin').contains(document.activeElement);
    $('signin').hidden = true;
    $('board').hidden = false;
    if (signingIn) {
      $('board').focus(); // the form just used is gone: not back to the top of the page
    }
    connect();
  }

  function setToken(newToken) {
    token = newToken;
    sessionStorage.setItem('switchboard.dashboard.token', token);
    sessionStorage.setItem('switchboard.dashboard.user', devUser || '');
    clearTimeout(refreshTimer);
    const exp = expiryOf(token);
    if (devUser && exp) {
      // a board left on a wall outlives a 12-hour token: renew it a while before its end
      const left = exp - Date.now();
      // not sooner than 30 s: a browser clock hours ahead sees every new token as expired, and
      // renewed at once it asked for one token after another as fast as they came (an expiry
      // close is renewed by the close handler all the same)
      refreshTimer = setTimeout(refreshToken, Math.min(2147483647, Math.max(30000, left - Math.min(5 * 60000, left / 10))));
    }
  }

  /**
   * A new development token for the next connections, handed to the open one with `refresh`;
   * true once the node took it there (or there was no open link to hand it to).
   */
  async function refreshToken() {
    let fresh;
    try {
      fresh = await devLogin(devUser);
    } catch (e) {
      refreshTimer = setTimeout(refreshToken, 30000);
      return false;
    }
    setToken(fresh);
    if (!socket || socket.readyState !== WebSocket.OPEN) {
      return true;
    }
    refreshed(false); // an earlier refresh still waiting: this one replaces it
    const answered = new Promise(resolve => {
      const timer = setTimeout(() => resolve(false), 10000);
      refreshed = ok => {
        clearTimeout(timer);
        refreshed = () => {};
        resolve(ok);
      };
    });
    socket.send(JSON.stringify({ type: 'refresh', id: 'refresh', token: fresh }));
    return answered;
  }

  function connect() {
    clearTimeout(reconnectTimer);
    if (socket) {
      // one link at a time: a second sign-in must not leave the first socket open, reconnecting
      // on its own beside the new one
      const old = socket;
      old.onclose = null;
      old.onmessage = null;
      old.close(1000, 'bye');
    }
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    lastFrameAt = null;
    joinedAt = null;
    openedAt = performance.now();
    connects++;
    socket = new WebSocket(scheme + '//' + location.host + '/ws?token=' + encodeURIComponent(token));
    socket.onmessage = event => onFrame(JSON.parse(event.data));
    socket.onclose = event => {
      lastFrameAt = null; // closed: the watchdog has nothing to give up, the lines below decide
      openedAt = null;
      refreshed(false);
      // renewing failed while the page slept, or every node restarted with a new signing key (no
      // auth.jwtSecret): a new token, then the same way back; with no token to be had, the old one
      // would only be refused again, for ever. A token refused as soon as it is new signs out.
      const renewable = event.reason === 'token expired'
        || (event.reason === 'unauthorized' && performance.now() - renewedUnauthorizedAt > 60000);
      if (event.code === 1008 && devUser && renewable) {
        if (event.reason === 'unauthorized') {
          renewedUnauthorizedAt = performance.now();
        }
        devLogin(devUser).then(fresh => {
          setToken(fresh);
          reconnectLater();
        }, e => e.final ? signedOut('The token expired, and ' + e.message + '.') : reconnectLater());
        return;
      }
      if (event.code === 1008 && event.reason === 'forbidden origin') {
        // not the token: signing in again would be refused the same way
        setStatus('offline', 'this page\'s address is not an allowed origin of the service: ask the operator to allow it');
        return;
      }
      if (event.code === 1008) {
        signedOut('The server refused the token (' + event.reason + ').');
        return;
      }
      // PROTOCOL.md: after these, a client does not reconnect by itself
      if (event.code === 4009 || event.code === 4003) {
        setStatus('offline', event.code === 4009 ? 'kicked: an admin removed this user'
          : 'too many connections: close another first');
        return;
      }
      reconnectLater();
    };
  }

  /** Back to the sign-in form, the stored token forgotten. */
  function signedOut(message) {
    clearTimeout(refreshTimer);
    token = null;
    devUser = null;
    sessionStorage.removeItem('switchboard.dashboard.token');
    sessionStorage.removeItem('switchboard.dashboard.user');
    setStatus('offline', 'signed out');
    $('board').hidden = true;
    $('signin').hidden = false;
    $('signin-error').textContent = message;
    $('user').focus();
  }

  function reconnectLater() {
    const wait = Math.min(30000, retry) * (0.8 + Math.random() * 0.4);
    retry = Math.min(30000, retry * 2);
    setStatus('reconnecting', 'reconnecting in ' + Math.round(wait / 1000) + ' s');
    reconnectTimer = setTimeout(connect, wait);
  }

  /**
   * Called every second: a joined link without a frame for STALE_MS is given up and opened anew,
   * and so is one that has not joined $metrics STALE_MS after it was opened (a node that
   * upgrades the socket and then says nothing would otherwise keep the board on stale figures).
   */
  function watchLink() {
    const since = lastFrameAt !== null ? lastFrameAt : openedAt;
    if (since !== null && performance.now() - since > STALE_MS) {
      const dead = socket;
      dead.onclose = null;
      dead.onmessage = null;
      try {
        dead.close(4000, 'no frames');
      } catch (e) {
        // closing a socket that is already gone
      }
      lastFrameAt = null;
      openedAt = null;
      refreshed(false);
      reconnectLater();
    }
  }

  function onFrame(frame) {
    // only the metrics keep the link counted alive: anyone may send this user private messages
    // or presence, which would hide a link whose metrics stopped
    if ((lastFrameAt !== null && frame.type === 'metrics') || (frame.type === 'joined' && frame.id === 'metrics')) {
      lastFrameAt = performance.now();
      openedAt = null;
      joinedAt = joinedAt === null ? lastFrameAt : joinedAt;
      // the back-off starts again only for a link that has worked a while: a node that answers
      // the join and then closes (failing, at a limit) is not asked again every second
      if (lastFrameAt - joinedAt >= HEALTHY_MS) {
        retry = 1000;
      }
    }
    if (frame.id === 'refresh') {
      refreshed(frame.type === 'refreshed');
    } else if (frame.type === 'welcome') {
      setStatus('connected', 'connected to ' + frame.node);
      socket.send(JSON.stringify({ type: 'join', id: 'metrics', room: '$metrics', history: 0 }));
    } else if (frame.type === 'error' && frame.id === 'metrics') {
      const refused = socket;
      refused.onclose = null;
      refused.close(1000, 'no access to $metrics');
      openedAt = null; // given up here: not the watchdog's any more
      if (frame.code === 'forbidden') {
        // a token without the admin role: a reload would only meet the same refusal
        signedOut('No access to $metrics with this token (' + frame.message + '): sign in as an operator.');
      } else {
        // the cluster could not answer now (a node rejoining): the same token, a new link later
        setStatus('reconnecting', 'could not join $metrics: ' + frame.message);
        reconnectLater();
      }
    } else if (frame.type === 'metrics') {
      record(frame);
    }
  }

  function record(frame) {
    let node = nodes.get(frame.node);
    if (!node) {
      // node ids are new at every start: the first colour no node on the board has, so that two
      // nodes never share one after restarts
      const used = new Set([...nodes.values()].map(n => n.color));
      const color = COLORS.find(c => !used.has(c)) || COLORS[nodes.size % COLORS.length];
      node = { color, points: [], last: null, gone: false };
      nodes.set(frame.node, node);
    }
    const t = performance.now(); // the page's own clock: a wall clock set back would keep samples and dead nodes
    node.points.push({ t: t, frame: frame });
    node.last = frame;
    node.lastAt = t;
    node.gone = false;
  }

  function tick() {
    const now = performance.now();
    for (const [id, node] of nodes) {
      node.points = node.points.filter(p => now - p.t <= WINDOW_MS);
      node.gone = now - node.lastAt > GONE_AFTER_MS;
      if (node.gone && node.points.length === 0) {
        nodes.delete(id); // gone for the whole chart window: each restart would otherwise leave a row for good
      }
    }
    for (const name of Object.keys(CHARTS)) {
      draw($('chart-' + name), CHARTS[name], now);
    }
    renderTable(now);
  }

  function draw(canvas, value, now) {
    // draw at the size the canvas is shown, in device pixels, so that text and lines stay sharp
    const ratio = window.devicePixelRatio || 1;
    const w = Math.max(200, canvas.clientWidth);
    const h = 180;
    if (canvas.width !== Math.round(w * ratio)) {
      canvas.width = Math.round(w * ratio);
      canvas.height = Math.round(h * ratio);
    }
    const ctx = canvas.getContext('2d');
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    const pad = { left: 46, right: 8, top: 8, bottom: 20 };
    ctx.clearRect(0, 0, w, h);
    let max = 1;
    for (const node of nodes.values()) {
      for (const p of node.points) {
        max = Math.max(max, value(p.frame));
      }
    }
    max = niceCeiling(max);
    ctx.strokeStyle = '#eceef5';
    ctx.fillStyle = '#6b7280';
    ctx.font = '11px system-ui, sans-serif';
    ctx.lineWidth = 1;
    for (let i = 0; i <= 4; i++) {
      const y = pad.top + (h - pad.top - pad.bottom) * i / 4;
      ctx.beginPath();
      ctx.moveTo(pad.left, y);
      ctx.lineTo(w - pad.right, y);
      ctx.stroke();
      ctx.fillText(formatNumber(max * (4 - i) / 4), 4, y + 4);
    }
    ctx.fillText('−5 min', pad.left, h - 4);
    ctx.fillText('now', w - pad.right - 22, h - 4);
    const x = t => pad.left + (w - pad.left - pad.right) * (1 - (now - t) / WINDOW_MS);
    const y = v => pad.top + (h - pad.top - pad.bottom) * (1 - v / max);
    for (const node of nodes.values()) {
      if (node.points.length === 0) {
        continue;
      }
      ctx.strokeStyle = node.color;
      ctx.lineWidth = 2;
      ctx.beginPath();
      node.points.forEach((p, i) => {
        const px = x(p.t);
        const py = y(value(p.frame));
        if (i === 0) {
          ctx.moveTo(px, py);
        } else {
          ctx.lineTo(px, py);
        }
      });
      ctx.stroke();
      // the latest value as a dot, so that a young series is visible too
      const lastPoint = node.points[node.points.length - 1];
      if (!node.gone) {
        ctx.fillStyle = node.color;
        ctx.beginPath();
        ctx.arc(x(lastPoint.t), y(value(lastPoint.frame)), 3.5, 0, 2 * Math.PI);
        ctx.fill();
      }
    }
  }

  function niceCeiling(v) {
    const exp = Math.pow(10, Math.floor(Math.log10(v)));
    for (const m of [1, 2, 5, 10]) {
      if (v <= m * exp) {
        return m * exp;
      }
    }
    return 10 * exp;
  }

  function formatNumber(v) {
    return v >= 100 ? Math.round(v).toString() : (Math.round(v * 10) / 10).toString();
  }

  function renderTable(now) {
    const body = $('nodes').tBodies[0];
    body.textContent = '';
    const ids = Array.from(nodes.keys()).sort();
    for (const id of ids) {
      const node = nodes.get(id);
      const f = node.last;
      const row = document.createElement('tr');
      row.dataset.node = id;
      row.className = node.gone ? 'gone' : 'alive';
      const nameCell = document.createElement('td');
      const swatch = document.createElement('span');
      swatch.className = 'swatch';
      swatch.style.background = node.color;
      nameCell.appendChild(swatch);
      nameCell.appendChild(document.createTextNode(id));
      row.appendChild(nameCell);
      const state = document.createElement('td');
      state.className = node.gone ? 'state-gone' : 'state-alive';
      state.textContent = node.gone ? 'gone' : 'alive';
      row.appendChild(state);
      const cells = [f.connections, f.rooms, f.messagesIn, f.messagesOut,
        formatNumber(f.heapUsedBytes / (1024 * 1024)), f.cpu < 0 ? '–' : formatNumber(f.cpu * 100)];
      for (const v of cells) {
        const td = document.createElement('td');
        td.className = 'num';
        td.textContent = String(v);
        row.appendChild(td);
      }
      const seen = document.createElement('td');
      seen.textContent = Math.round((now - node.lastAt) / 1000) + ' s ago';
      row.appendChild(seen);
      body.appendChild(row);
    }
  }

  $('signin-form').addEventListener('submit', async event => {
    event.preventDefault();
    $('signin-error').textContent = '';
    try {
      const user = $('user').value.trim();
      start(await devLogin(user), user);
    } catch (e) {
      $('signin-error').textContent = e.message;
    }
  });
  $('token-form').addEventListener('submit', event => {
    event.preventDefault();
    const pasted = $('token').value.trim();
    if (pasted) {
      start(pasted);
    }
  });

  const saved = sessionStorage.getItem('switchboard.dashboard.token');
  if (saved) {
    start(saved, sessionStorage.getItem('switchboard.dashboard.user'));
  }
  setInterval(() => {
    tick();
    watchLink();
  }, 1000);
  // for tests and curious operators: what the page knows
  window.switchboardDashboard = {
    nodes: nodes,
    refreshToken: refreshToken,
    token: () => token,
    socket: () => socket,
    connects: () => connects,
  };
})();
