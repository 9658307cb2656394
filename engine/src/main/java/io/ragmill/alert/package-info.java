/**
 * In-process alerting: rules over the node's metric summary, checked on a timer by one actor per
 * node; firing and resolved alerts are logged, listed and published on the event stream.
 */
package io.ragmill.alert;
