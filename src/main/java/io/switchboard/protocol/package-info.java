/**
 * The wire protocol of PROTOCOL.md: client commands (records of a sealed interface), the codec
 * ({@link io.switchboard.protocol.CommandDecoder} for JSON → command, with
 * {@link io.switchboard.protocol.MessageData} for what a message's data may hold,
 * {@link io.switchboard.protocol.FrameEncoder} for every server frame), names, error and close
 * codes. Plain Java without I/O; safe on any thread.
 */
package io.switchboard.protocol;
