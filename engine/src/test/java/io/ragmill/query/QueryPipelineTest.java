package io.ragmill.query;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class QueryPipelineTest {
  @Test
  void normalizationFoldsCaseAndWhitespace() {
    assertEquals("what is x", QueryPipeline.normalize("  What\tis   X?\n"));
    assertEquals("what is x", QueryPipeline.normalize("what is x ?!"));
    assertEquals("?", QueryPipeline.normalize(" ? "));
    assertEquals("", QueryPipeline.normalize("   "));
    assertEquals(QueryPipeline.normalize("Where do llamas come from"), QueryPipeline.normalize("where  do LLAMAS come from "));
  }
}
