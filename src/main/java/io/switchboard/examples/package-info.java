/** Runnable examples of programs that use Switchboard's APIs; not part of a node. */
package io.switchboard.examples;
