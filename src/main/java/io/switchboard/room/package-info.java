/**
 * Rooms in the cluster: the room entry in Hazelcast ({@link io.switchboard.room.RoomState},
 * changed only by the entry processors of {@link io.switchboard.room.RoomOps} and
 * {@link io.switchboard.room.RoomAppend} on the owning partition thread), the
 * {@link io.switchboard.room.RoomVerticle} (one per node, on its own event loop) and the fan-out
 * of encoded frames to the nodes with members.
 */
package io.switchboard.room;
