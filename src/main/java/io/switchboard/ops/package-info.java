/** Operations: health and readiness. */
package io.switchboard.ops;
