package io.ragmill.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ragmill.api.RagmillException;
import io.ragmill.collection.CollectionSettings;
import io.ragmill.index.MetadataFilter;
import io.ragmill.ingest.SourceDocument;
import io.ragmill.query.QueryRequest;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Reads request bodies into engine types, checking every field; a bad one is a 400 that names it.
 * Unknown fields are refused too, so a typo ("querry") is reported instead of silently ignored.
 */
final class JsonBodies {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  private static final int MAX_ID_CHARS = 512;

  private final ObjectMapper mapper;

  JsonBodies(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  JsonNode parse(String body) {
    if (body.isBlank()) {
      throw RagmillException.invalid("the request body is empty; send a JSON object");
    }
    try {
      return mapper.readTree(body);
    } catch (JsonProcessingException e) {
      throw RagmillException.invalid("the request body is not valid JSON: " + describe(e));
    }
  }

  /**
   * A parse error in the client's terms: Jackson's message without its note on the source, and
   * the line and column where known (a nesting or number-length limit has no location).
   */
  static String describe(JsonProcessingException e) {
    String message = String.valueOf(e.getOriginalMessage()).replaceAll("\\s*\\(start marker at \\[Source:.*?\\]\\)", "");
    com.fasterxml.jackson.core.JsonLocation at = e.getLocation();
    return at == null || at.getLineNr() < 1 ? message : message + " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
  }

  /**
   * Whether {@code name} matches {@link #NAME} (collection names and session ids): written out,
   * since the regex showed in the profile of a cached hit, which checks the collection of every
   * query. {@code JsonBodiesTest} checks the two agree.
   */
  static boolean isName(String name) {
    int n = name.length();
    if (n < 1 || n > 128) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = name.charAt(i);
      boolean alphanumeric = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (!alphanumeric && (i == 0 || (c != '.' && c != '_' && c != '-'))) {
        return false;
      }
    }
    return true;
  }

  /** The regex that {@link #isName} writes out; for tests. */
  static boolean matchesNamePattern(String name) {
    return NAME.matcher(name).matches();
  }

  static String collectionName(String name) {
    if (!isName(name)) {
      throw RagmillException.invalid(
          "collection name '" + name + "' must be 1-128 characters of letters, digits, '.', '_' or '-', "
              + "starting with a letter or digit");
    }
    return name;
  }

  List<SourceDocument> documents(JsonNode root) {
    JsonNode list = root;
    if (root.isObject() && root.has("documents")) {
      onlyFields(root, "request", Set.of("documents"));
      list = root.get("documents");
      if (!list.isArray()) {
        throw RagmillException.invalid("'documents' must be an array of documents");
      }
    }
    List<SourceDocument> out = new ArrayList<>();
    if (list.isArray()) {
      for (int i = 0; i < list.size(); i++) {
        out.add(document(list.get(i), "documents[" + i + "]"));
      }
    } else if (list.isObject()) {
      out.add(document(list, "document"));
    } else {
      throw RagmillException.invalid("send a document object, an array of them, or {\"documents\": [...]}");
    }
    return out;
  }

  private SourceDocument document(JsonNode node, String where) {
    if (!node.isObject()) {
      throw RagmillException.invalid(where + " must be an object with 'id' and one of 'text', 'markdown', 'html'");
    }
    onlyFields(node, where, Set.of("id", "text", "markdown", "html", "metadata"));
    String id;
    if (node.hasNonNull("id")) {
      JsonNode idNode = node.get("id");
      if (!idNode.isTextual() && !idNode.isIntegralNumber()) {
        throw RagmillException.invalid(where + ".id must be a string");
      }
      id = idNode.asText();
      if (id.isBlank() || id.length() > MAX_ID_CHARS) {
        throw RagmillException.invalid(where + ".id must be 1-" + MAX_ID_CHARS + " characters and not blank");
      }
      if (id.equals(".") || id.equals("..")) {
        // a URL path cannot name it: DELETE .../documents/.. is the collection's path
        throw RagmillException.invalid(where + ".id must not be '.' or '..'");
      }
    } else {
      id = UUID.randomUUID().toString();
    }
    SourceDocument.Format format = null;
    String content = null;
    for (SourceDocument.Format f : SourceDocument.Format.values()) {
      String field = f.name().toLowerCase(Locale.ROOT);
      if (node.has(field)) {
        if (format != null) {
          throw RagmillException.invalid(where + " must have exactly one of 'text', 'markdown', 'html', not several");
        }
        JsonNode value = node.get(field);
        if (!value.isTextual() || value.asText().isBlank()) {
          throw RagmillException.invalid(where + "." + field + " must be a non-empty string");
        }
        format = f;
        content = value.asText();
      }
    }
    if (format == null) {
      throw RagmillException.invalid(where + " needs one of 'text', 'markdown' or 'html'");
    }
    SourceDocument document = new SourceDocument(id, format, content, metadata(node.get("metadata"), where + ".metadata"));
    // parsed here once more (the job parses it again): accepted, it would complete with no chunks and never be found
    if (format != SourceDocument.Format.TEXT && io.ragmill.ingest.DocumentParser.toText(document).isBlank()) {
      throw RagmillException.invalid(
          where + "." + format.name().toLowerCase(Locale.ROOT) + " holds no text once its markup (and any script or style) is removed");
    }
    return document;
  }

  private static Map<String, String> metadata(JsonNode node, String where) {
    if (node == null || node.isNull()) {
      return Map.of();
    }
    if (!node.isObject()) {
      throw RagmillException.invalid(where + " must be an object of string, number or boolean values");
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isValueNode() || e.getValue().isNull()) {
        throw RagmillException.invalid(where + "." + e.getKey() + " must be a string, number or boolean");
      }
      out.put(e.getKey(), e.getValue().asText());
    }
    return Map.copyOf(out);
  }

  /**
   * The plainest query body, {@code {"query": "...", "k": 5}} ("k" optional), read with Jackson's
   * streaming parser instead of as a tree: building the tree was a sixth of a cached hit's handler
   * in the profile. Present only when {@link #query} would read the same body into the same
   * request, and the body has no session; empty for anything else (another field, another type, a
   * repeated field, a value out of range, invalid JSON), which the tree path then reads or refuses
   * with its problem. {@code JsonBodiesTest} checks the two against each other.
   */
  Optional<QueryRequest> plainQuery(String body, int defaultK, int maxK, int maxQueryChars) {
    try (JsonParser p = mapper.getFactory().createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return Optional.empty();
      }
      String query = null;
      int k = -1;
      JsonToken token;
      while ((token = p.nextToken()) == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        if (query == null && value == JsonToken.VALUE_STRING && name.equals("query")) {
          query = p.getText();
        } else if (k < 0 && value == JsonToken.VALUE_NUMBER_INT && name.equals("k")
            && p.getNumberType() == JsonParser.NumberType.INT && p.getIntValue() >= 1 && p.getIntValue() <= maxK) {
          k = p.getIntValue(); // in range, so never the -1 of "no k yet"
        } else {
          return Optional.empty();
        }
      }
      if (token != JsonToken.END_OBJECT || p.nextToken() != null
          || query == null || query.isBlank() || query.codePointCount(0, query.length()) > maxQueryChars) {
        return Optional.empty();
      }
      return Optional.of(new QueryRequest(query, k < 0 ? defaultK : k, MetadataFilter.NONE));
    } catch (java.io.IOException invalid) {
      return Optional.empty();
    }
  }

  QueryRequest query(JsonNode root, int defaultK, int maxK, int maxQueryChars) {
    if (!root.isObject()) {
      throw RagmillException.invalid("send a JSON object: {\"query\": \"...\", \"k\": 5, \"filter\": {...}}");
    }
    onlyFields(root, "request", Set.of("query", "k", "filter", "sessionId"));
    JsonNode q = root.get("query");
    if (q == null || q.isNull()) {
      throw RagmillException.invalid("'query' is required");
    }
    if (!q.isTextual() || q.asText().isBlank()) {
      throw RagmillException.invalid("'query' must be a non-empty string");
    }
    int characters = q.asText().codePointCount(0, q.asText().length());
    if (characters > maxQueryChars) {
      throw RagmillException.invalid(
          "'query' has " + characters + " characters, more than the limit of " + maxQueryChars);
    }
    int k = root.hasNonNull("k") ? k(root.get("k"), maxK) : defaultK;
    return new QueryRequest(q.asText(), k, filter(root.get("filter")));
  }

  /** The session id of a query, from the body or the header (which must then agree), validated. */
  static Optional<String> sessionId(JsonNode root, Optional<String> header) {
    JsonNode field = root.get("sessionId");
    Optional<String> fromBody = Optional.empty();
    if (field != null && !field.isNull()) {
      if (!field.isTextual()) {
        throw RagmillException.invalid("'sessionId' must be a string");
      }
      fromBody = Optional.of(sessionId(field.asText()));
    }
    Optional<String> fromHeader = header.map(JsonBodies::sessionId);
    if (fromBody.isPresent() && fromHeader.isPresent() && !fromBody.equals(fromHeader)) {
      throw RagmillException.invalid("'sessionId' and the X-Session-Id header name different sessions");
    }
    return fromBody.isPresent() ? fromBody : fromHeader;
  }

  static String sessionId(String id) {
    if (!isName(id)) {
      throw RagmillException.invalid(
          "session id '" + id + "' must be 1-128 characters of letters, digits, '.', '_' or '-', starting with a letter or digit");
    }
    return id;
  }

  static int k(JsonNode kNode, int maxK) {
    if (!kNode.canConvertToInt() || !kNode.isIntegralNumber()) {
      throw RagmillException.invalid("'k' must be a whole number between 1 and " + maxK);
    }
    int k = kNode.asInt();
    if (k < 1 || k > maxK) {
      throw RagmillException.invalid("'k' must be between 1 and " + maxK + ", was " + k);
    }
    return k;
  }

  private static MetadataFilter filter(JsonNode node) {
    if (node == null || node.isNull()) {
      return MetadataFilter.NONE;
    }
    if (!node.isObject()) {
      throw RagmillException.invalid("'filter' must be an object: {\"key\": \"value\"} or {\"key\": [\"a\", \"b\"]}");
    }
    Map<String, List<String>> anyOf = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      List<String> values = new ArrayList<>();
      JsonNode v = e.getValue();
      if (v.isArray() && !v.isEmpty()) {
        for (JsonNode item : v) {
          if (!item.isValueNode() || item.isNull()) {
            throw RagmillException.invalid("filter." + e.getKey() + " must hold strings, numbers or booleans");
          }
          values.add(item.asText());
        }
      } else if (v.isValueNode() && !v.isNull()) {
        values.add(v.asText());
      } else {
        throw RagmillException.invalid("filter." + e.getKey() + " must be a value or a non-empty array of values");
      }
      anyOf.put(e.getKey(), List.copyOf(values));
    }
    return new MetadataFilter(anyOf);
  }

  CollectionSettings collectionSettings(JsonNode root, CollectionSettings defaults) {
    if (root == null || root.isNull()) {
      return defaults;
    }
    if (!root.isObject()) {
      throw RagmillException.invalid("send a JSON object of collection settings");
    }
    onlyFields(root, "request", Set.of("chunkSize", "chunkOverlap", "chunkUnit", "shards"));
    int chunkSize = intField(root, "chunkSize", defaults.chunkSize());
    int overlap = intField(root, "chunkOverlap", Math.min(defaults.chunkOverlap(), chunkSize / 2));
    int shards = intField(root, "shards", defaults.shards());
    CollectionSettings.ChunkUnit unit = defaults.chunkUnit();
    if (root.hasNonNull("chunkUnit")) {
      String u = root.get("chunkUnit").asText().toUpperCase(Locale.ROOT);
      try {
        unit = CollectionSettings.ChunkUnit.valueOf(u);
      } catch (IllegalArgumentException e) {
        throw RagmillException.invalid("'chunkUnit' must be 'chars' or 'words', was '" + root.get("chunkUnit").asText() + "'");
      }
    }
    try {
      return new CollectionSettings(chunkSize, overlap, unit, shards, defaults.modelId());
    } catch (IllegalArgumentException e) {
      throw RagmillException.invalid(e.getMessage());
    }
  }

  /** OpenAI's embeddings input: a string or an array of strings. */
  /** {@code dimension}: the model's; a request may name it, and no other. */
  List<String> embeddingInput(JsonNode root, int maxInputs, int maxChars, int dimension) {
    if (!root.isObject()) {
      throw RagmillException.invalid("send {\"input\": \"text\" | [\"text\", ...], \"model\": \"...\"}");
    }
    onlyFields(root, "request", Set.of("input", "model", "encoding_format", "user", "dimensions"));
    JsonNode input = root.get("input");
    List<String> texts = new ArrayList<>();
    if (input != null && input.isTextual()) {
      texts.add(input.asText());
    } else if (input != null && input.isArray()) {
      for (JsonNode item : input) {
        if (!item.isTextual()) {
          throw RagmillException.invalid("'input' must be a string or an array of strings");
        }
        texts.add(item.asText());
      }
    } else {
      throw RagmillException.invalid("'input' is required: a string or an array of strings");
    }
    if (texts.isEmpty() || texts.size() > maxInputs) {
      throw RagmillException.invalid("'input' must hold 1 to " + maxInputs + " texts, got " + texts.size());
    }
    for (String t : texts) {
      if (t.isEmpty() || t.length() > maxChars) {
        throw RagmillException.invalid("each input must be 1 to " + maxChars + " characters");
      }
      if (t.isBlank()) {
        // a text of only whitespace has nothing to embed (the hashing embedder's vector would be all zeros)
        throw RagmillException.invalid("each input must hold some text, not only whitespace");
      }
    }
    JsonNode format = root.get("encoding_format");
    if (format != null && !format.isNull() && !(format.isTextual() && format.asText().equals("float"))) {
      throw RagmillException.invalid("only encoding_format 'float' is supported");
    }
    for (String field : List.of("model", "user")) {
      if (root.hasNonNull(field) && !root.get(field).isTextual()) {
        throw RagmillException.invalid("'" + field + "' must be a string");
      }
    }
    JsonNode dimensions = root.get("dimensions");
    if (dimensions != null && !dimensions.isNull() && !(dimensions.isIntegralNumber() && dimensions.asLong() == dimension)) {
      throw RagmillException.invalid(
          "'dimensions' must be " + dimension + ", the model's own: it does not shorten its vectors, was " + dimensions);
    }
    return texts;
  }

  private static int intField(JsonNode root, String field, int fallback) {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      return fallback;
    }
    if (!node.isIntegralNumber() || !node.canConvertToInt()) {
      throw RagmillException.invalid("'" + field + "' must be a whole number");
    }
    return node.asInt();
  }

  static void onlyFields(JsonNode node, String where, Set<String> allowed) {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!allowed.contains(name)) {
        throw RagmillException.invalid(where + " has an unknown field '" + name + "'; allowed: " + new java.util.TreeSet<>(allowed));
      }
    }
  }
}
