/**
 * The WebSocket side of a node. {@link io.switchboard.gateway.GatewayVerticle} runs one instance
 * per event loop; each instance owns its {@link io.switchboard.gateway.ClientSession}s, its room
 * streams (re-ordering and gap filling) and its sweep timer, and touches them only on its own
 * event loop.
 */
package io.switchboard.gateway;
