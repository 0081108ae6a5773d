// Switchboard chat: the WebSocket link. It asks for a URL (so the token is fresh each time),
// matches replies to requests by id, sends `ping` itself (browsers never see the server's ping
// frames) and treats a missing `pong` as a dead link, and reconnects with exponential back-off
// and jitter after every close but those PROTOCOL.md says not to retry by itself.
(function (global) {
  'use strict';

  const NO_RECONNECT = new Set([1000, 1008, 4003, 4009]);
  const REQUEST_TIMEOUT_MS = 15000;
  const DEAD_LINK = 4000;
  /** PROTOCOL.md: a connection closed for rate limit abuse waits before it comes back. */
  const ABUSE = 4008;

  class Link {
    /**
     * @param hooks url(): Promise<string>; onState(state, secondsLeft); onFrame(frame) for frames
     *   that answer no request; onLost(code, reason) before a reconnect; onEnd(code, reason) when
     *   the link gives up; tuning: pingMs, pongTimeoutMs, retryMinMs, retryMaxMs, healthyMs, welcomeMs
     */
    constructor(hooks) {
      this.hooks = hooks;
      this.tuning = hooks.tuning;
      this.socket = null;
      this.welcomed = false;
      this.stopped = true;
      this.nextId = 1;
      this.pending = new Map();
      this.retryMs = this.tuning.retryMinMs;
      this.timers = {};
      /** Counts open() calls: one that a later call overtook while it waited for its URL gives up. */
      this.opens = 0;
      /** When the link last got its welcome: only a link that stayed up a while resets the back-off. */
      this.welcomedAt = null;
      /** No open before this time (ms): after 4008 the whole pause is waited out, whatever asks sooner. */
      this.notBefore = 0;
      /** When the link last got a frame, of any kind: while frames come, it is alive (see ping). */
      this.lastInboundAt = 0;
      /** When the link last got a pong. */
      this.lastPongAt = 0;
    }

    get connected() {
      return this.welcomed && this.socket !== null && this.socket.readyState === WebSocket.OPEN;
    }

    start() {
      this.stopped = false;
      this.retryMs = this.tuning.retryMinMs;
      this.open();
    }

    /** Closes with 1000 and does not come back. */
    stop() {
      this.stopped = true;
      this.clearTimers();
      const socket = this.socket;
      this.detach();
      if (socket) {
        socket.close(1000, 'bye');
      }
      this.failPending('disconnected', 'signed out');
    }

    /**
     * Skips the back-off wait (the browser came back online, or the person asked), but not the
     * pause after a close for abuse: PROTOCOL.md asks the client to back off.
     */
    now() {
      if (this.socket === null && performance.now() >= this.notBefore) {
        this.stopped = false;
        this.open();
      }
    }

    /**
     * Asks a connected link for a pong now, within pongTimeoutMs: after a network change or a
     * sleep the socket may still say open while the link is gone, and the next timed ping (up to
     * pingMs away, later still in a tab the browser throttled) would find out only then.
     */
    check() {
      if (!this.connected) {
        return;
      }
      // the usual pong timeout: a mobile link that has only just come back may be slow to answer
      this.ping();
    }

    /**
     * Pings, and takes the link for dead if neither the pong nor any other frame came within
     * pongTimeoutMs. A slow link queues the pong behind large replies (a rejoin's histories, up
     * to the node's outbound limit): it is alive while they come in, as the node, too, counts
     * any frame as life. Only the pong counted, and such a link was dropped and rejoined again
     * and again, asking for the same histories each time.
     */
    ping() {
      const socket = this.socket;
      const sentAt = performance.now();
      this.request({ type: 'ping' }, this.tuning.pongTimeoutMs).catch(err => {
        if (err.code === 'timeout') {
          this.deadUnlessHeard(socket, sentAt);
        }
      });
    }

    /**
     * The pong of a ping sent at `sentAt` is overdue: the link is dead once nothing at all came
     * for pongTimeoutMs; while frames come, it is looked at again when that much would have
     * passed since the last, until a pong comes (one frame in flight when the link died must not
     * put the verdict off to the next timed ping).
     */
    deadUnlessHeard(socket, sentAt) {
      if (socket !== this.socket || this.lastPongAt >= sentAt) {
        return;
      }
      const quiet = performance.now() - this.lastInboundAt;
      if (quiet >= this.tuning.pongTimeoutMs) {
        this.dead(socket);
        return;
      }
      clearTimeout(this.timers.quiet);
      this.timers.quiet = setTimeout(() => this.deadUnlessHeard(socket, sentAt), this.tuning.pongTimeoutMs - quiet);
    }

    send(frame) {
      if (!this.connected) {
        return false;
      }
      this.socket.send(JSON.stringify(frame));
      return true;
    }

    /** Sends a frame with a fresh id; resolves with the reply, rejects with the error frame. */
    request(frame, timeoutMs) {
      if (!this.connected) {
        return Promise.reject({ code: 'disconnected', message: 'not connected' });
      }
      const id = this.nextId++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          this.pending.delete(id);
          reject({ code: 'timeout', message: 'no answer from the server' });
        }, timeoutMs || this.tuning.requestTimeoutMs || REQUEST_TIMEOUT_MS);
        this.pending.set(id, { resolve, reject, timer });
        this.socket.send(JSON.stringify(Object.assign({}, frame, { id })));
      });
    }

    async open() {
      this.clearTimers();
      this.hooks.onState('connecting', 0);
      // the URL may take a network call (a token renewed first): a second open() meanwhile (the
      // browser came back online, the person asked) must not leave two sockets, one of them
      // forgotten but open and counted against the user's connections
      const mine = ++this.opens;
      let url;
      try {
        url = await this.hooks.url();
      } catch (e) {
        if (mine === this.opens) {
          // a token that cannot be had ends the session (closeCode 1008); anything else is retried
          this.closed(e && e.closeCode ? e.closeCode : 1006, e && e.message ? e.message : 'no token');
        }
        return;
      }
      if (this.stopped || mine !== this.opens) {
        return;
      }
      if (this.socket !== null) {
        // opened meanwhile by other means (start() after now()): one link at a time, the old one
        // closed rather than left open and counted against the user's connections
        const old = this.socket;
        this.detach();
        old.close(1000, 'replaced');
        // its answers will not come: a join left waiting would keep its room from the rejoin
        this.failPending('disconnected', 'the connection was replaced');
      }
      const socket = new WebSocket(url);
      this.socket = socket;
      this.welcomed = false;
      // a socket that opens but is never welcomed (a hung proxy, a node that stalls) would keep
      // the page "connecting…" for ever: pings start only at the welcome
      this.timers.welcome = setTimeout(() => {
        if (socket === this.socket && !this.welcomed) {
          this.dead(socket, 'no welcome from the server');
        }
      }, this.tuning.welcomeMs || REQUEST_TIMEOUT_MS);
      socket.onmessage = event => {
        if (socket === this.socket) {
          this.receive(event.data);
        }
      };
      socket.onclose = event => {
        if (socket === this.socket) {
          this.detach();
          this.closed(event.code, event.reason);
        }
      };
    }

    receive(data) {
      this.lastInboundAt = performance.now();
      let frame;
      try {
        frame = JSON.parse(data);
      } catch (e) {
        return;
      }
      if (frame.type === 'pong') {
        this.lastPongAt = performance.now();
      }
      if (frame.type === 'welcome') {
        clearTimeout(this.timers.welcome);
        this.welcomed = true;
        this.welcomedAt = performance.now();
        this.startPings();
        this.hooks.onState('connected', 0);
      }
      const waiting = frame.id !== undefined ? this.pending.get(frame.id) : undefined;
      if (waiting) {
        this.pending.delete(frame.id);
        clearTimeout(waiting.timer);
        (frame.type === 'error' ? waiting.reject : waiting.resolve)(frame);
        return;
      }
      this.hooks.onFrame(frame);
    }

    closed(code, reason) {
      this.clearTimers();
      // a node that welcomes and then closes at once (at its limits, failing) is not hammered
      // every second: the pauses go on growing unless the link had stayed up for a while
      if (this.welcomedAt !== null && performance.now() - this.welcomedAt >= this.tuning.healthyMs) {
        this.retryMs = this.tuning.retryMinMs;
      }
      this.welcomedAt = null;
      if (code === ABUSE) {
        this.retryMs = this.tuning.retryMaxMs;
        this.notBefore = performance.now() + this.tuning.retryMaxMs; // the full pause, not one jittered below it
      }
      this.failPending('disconnected', 'the connection was lost');
      if (this.stopped) {
        return;
      }
      if (NO_RECONNECT.has(code)) {
        this.stopped = true;
        this.hooks.onState('offline', 0);
        this.hooks.onEnd(code, reason);
        return;
      }
      this.hooks.onLost(code, reason);
      this.schedule();
    }

    schedule() {
      const max = this.tuning.retryMaxMs;
      const held = this.notBefore - performance.now();
      const wait = held > 0 ? held : Math.min(max, Math.round(this.retryMs * (0.75 + Math.random() * 0.5)));
      this.retryMs = Math.min(max, this.retryMs * 2);
      const due = performance.now() + wait;
      const tick = () => this.hooks.onState('reconnecting', Math.max(0, Math.ceil((due - performance.now()) / 1000)));
      tick();
      this.timers.countdown = setInterval(tick, 1000);
      this.timers.retry = setTimeout(() => this.open(), wait);
    }

    startPings() {
      clearInterval(this.timers.ping);
      this.timers.ping = setInterval(() => this.ping(), this.tuning.pingMs);
    }

    /** No pong (or no welcome) in time: the link is dead even if the browser has not noticed yet. */
    dead(socket, why) {
      this.detach();
      try {
        socket.close(DEAD_LINK, 'no pong');
      } catch (e) {
        // closing a dead socket may throw; it is dropped either way
      }
      this.closed(DEAD_LINK, why || 'no answer to ping');
    }

    detach() {
      if (this.socket) {
        this.socket.onmessage = null;
        this.socket.onclose = null;
      }
      this.socket = null;
      this.welcomed = false;
    }

    /** Fails the requests still waiting for an answer; {@code sent}: each went out before it. */
    failPending(code, message) {
      for (const waiting of this.pending.values()) {
        clearTimeout(waiting.timer);
        waiting.reject({ code, message, sent: true });
      }
      this.pending.clear();
    }

    clearTimers() {
      clearInterval(this.timers.ping);
      clearInterval(this.timers.countdown);
      clearTimeout(this.timers.retry);
      clearTimeout(this.timers.welcome);
      clearTimeout(this.timers.quiet);
      this.timers = {};
    }
  }

  global.SwitchboardLink = Link;
})(window);
