package io.ragmill.node;

import java.util.Map;

/** Whether the node can serve, and each check's state (for /health/ready). */
public record Readiness(boolean ready, Map<String, String> checks) {}
