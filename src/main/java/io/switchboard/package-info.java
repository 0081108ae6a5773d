/**
 * Switchboard: a clustered real-time messaging service. {@link io.switchboard.Main} starts a
 * {@link io.switchboard.SwitchboardNode}: a clustered Vert.x with its Hazelcast member, one
 * room verticle, one gateway verticle per event loop, and the room service they share. {@link io.switchboard.Addresses} lists
 * every event bus address.
 */
package io.switchboard;
