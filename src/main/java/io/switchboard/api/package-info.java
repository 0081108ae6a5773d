/**
 * HTTP surface of a node: routes and their JSON error bodies. Handlers run on the gateway
 * instance's event loop that accepted the request.
 */
package io.switchboard.api;
