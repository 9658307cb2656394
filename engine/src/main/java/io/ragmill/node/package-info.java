/**
 * One Ragmill node: {@link io.ragmill.node.RagmillNode} joins the cluster, creates the journal
 * schema and starts every feature; the edges (HTTP) talk to the facades it exposes.
 */
package io.ragmill.node;
