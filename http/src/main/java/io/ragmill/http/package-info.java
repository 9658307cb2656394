/**
 * The HTTP edge: Pekko HTTP routes that parse, validate and hand requests to the engine, JSON and
 * problem+json errors, health endpoints, and the server {@link io.ragmill.http.Main}.
 */
package io.ragmill.http;
