package io.ragmill.persistence;

/**
 * Marker for every message, event and snapshot that is persisted or crosses the network; bound to
 * Jackson CBOR in {@code pekko.actor.serialization-bindings}. Java serialization stays off.
 */
public interface CborSerializable {}
