/**
 * Configuration: the keys of the operating contract with defaults and ranges
 * ({@link io.switchboard.config.ConfigKeys}), loaded from defaults, a JSON file and
 * {@code SWITCHBOARD_*} variables. Runs once, on the main thread, before anything starts.
 */
package io.switchboard.config;
