package io.switchboard.protocol;

/** One entry of a members list: a user id and its display name. */
public record Member(String user, String name) {
}
