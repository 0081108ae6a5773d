/**
 * Where users are connected, cluster-wide ({@link io.switchboard.presence.UserDirectory}), and
 * the clean-up when Hazelcast declares a member dead ({@link io.switchboard.presence.NodeDeaths},
 * called on a Hazelcast event thread, working on the room verticle's event loop).
 */
package io.switchboard.presence;
