package io.ragmill.cache;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.ragmill.persistence.CborSerializable;

/** Anything stored in the cache; knows its approximate size in bytes for the weigher. */
@JsonTypeInfo(use = JsonTypeInfo.Id.CLASS)
public interface CachedValue extends CborSerializable {
  int weightBytes();
}
