/**
 * What the edges (HTTP, later gRPC) see of the engine: {@link io.ragmill.api.RagmillEngine}, the
 * facade that wires every feature, and the errors it reports.
 */
package io.ragmill.api;
