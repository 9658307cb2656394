package io.ragmill.ingest;

import org.commonmark.parser.Parser;
import org.commonmark.renderer.text.TextContentRenderer;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;

/** Plain text out of each supported format: commonmark for Markdown, jsoup for HTML. */
public final class DocumentParser {
  private static final Parser MARKDOWN = Parser.builder().build();
  private static final TextContentRenderer TEXT = TextContentRenderer.builder().build();

  private DocumentParser() {}

  /** The text a job chunks; the HTTP edge also checks it is not empty before accepting a document. */
  public static String toText(SourceDocument document) {
    return switch (document.format()) {
      case TEXT -> document.content();
      case MARKDOWN -> TEXT.render(MARKDOWN.parse(document.content()));
      case HTML -> html(document.content());
    };
  }

  private static String html(String html) {
    Document doc = Jsoup.parse(html);
    doc.select("script, style, noscript, template").remove();
    // one line per block element, so sentences of different paragraphs do not run together
    doc.select("p, div, li, h1, h2, h3, h4, h5, h6, tr, br, pre, blockquote").append("\\n");
    return doc.body() == null ? "" : doc.body().text().replace("\\n", "\n");
  }
}
