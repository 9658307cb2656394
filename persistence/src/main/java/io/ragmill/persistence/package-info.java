/**
 * JDBC plumbing shared by every feature: the journal schema for H2 and PostgreSQL, created at
 * startup, and the marker that binds persisted and remote messages to Jackson CBOR.
 */
package io.ragmill.persistence;
