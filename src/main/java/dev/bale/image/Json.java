package dev.bale.image;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads and writes the JSON documents of images and registries (configs, manifests, indexes,
 * registry answers) as trees, through Jackson's streaming parser and generator.
 *
 * <p>The trees are jackson-databind's, but not its {@code ObjectMapper}: setting one up costs about
 * a tenth of a second at start-up (type factories, date formats, serializer caches) that documents
 * of strings, numbers, arrays and objects never use, and a repack or push that finds everything
 * done is not much longer than that. The bytes are the ones the mapper writes: compact, object keys
 * in insertion order. Reading keeps the last of duplicate keys, as the mapper does, and the
 * parser's limits (nesting depth, number and string lengths) hold for hostile input.
 */
public final class Json {
  private static final JsonFactory FACTORY = new JsonFactory();
  private static final Pattern SOURCE =
      Pattern.compile("\\[Source: .*?; line: (\\d+), column: (\\d+)\\]");

  private Json() {}

  /** Returns a new, empty JSON object. */
  public static ObjectNode object() {
    return JsonNodeFactory.instance.objectNode();
  }

  /** Returns a new, empty JSON array. */
  public static ArrayNode array() {
    return JsonNodeFactory.instance.arrayNode();
  }

  /** Returns the compact bytes of {@code node}, object keys in insertion order. */
  public static byte[] write(JsonNode node) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator generator = FACTORY.createGenerator(out)) {
      write(generator, node);
    } catch (IOException e) {
      throw new IllegalStateException("a JSON tree could not be written", e);
    }
    return out.toByteArray();
  }

  private static void write(JsonGenerator generator, JsonNode node) throws IOException {
    switch (node.getNodeType()) {
      case OBJECT -> {
        generator.writeStartObject();
        for (Map.Entry<String, JsonNode> property : node.properties()) {
          generator.writeFieldName(property.getKey());
          write(generator, property.getValue());
        }
        generator.writeEndObject();
      }
      case ARRAY -> {
        generator.writeStartArray();
        for (JsonNode element : node) {
          write(generator, element);
        }
        generator.writeEndArray();
      }
      case STRING -> generator.writeString(node.textValue());
      case NUMBER -> writeNumber(generator, node);
      case BOOLEAN -> generator.writeBoolean(node.booleanValue());
      case NULL -> generator.writeNull();
      default -> throw new IllegalArgumentException("not a JSON value: " + node.getNodeType());
    }
  }

  private static void writeNumber(JsonGenerator generator, JsonNode node) throws IOException {
    switch (node.numberType()) {
      case INT -> generator.writeNumber(node.intValue());
      case LONG -> generator.writeNumber(node.longValue());
      case BIG_INTEGER -> generator.writeNumber(node.bigIntegerValue());
      case FLOAT -> generator.writeNumber(node.floatValue());
      case DOUBLE -> generator.writeNumber(node.doubleValue());
      case BIG_DECIMAL -> generator.writeNumber(node.decimalValue());
    }
  }

  /**
   * Parses {@code json}: an object, array or scalar, or a missing node when there is nothing but
   * white space.
   *
   * @throws IOException if the bytes are not JSON, or go past the parser's limits
   */
  public static JsonNode read(byte[] json) throws IOException {
    try (JsonParser parser = FACTORY.createParser(json)) {
      JsonToken first = parser.nextToken();
      return first == null ? MissingNode.getInstance() : read(parser, first);
    } catch (JsonProcessingException e) {
      // Jackson names places as "[Source: REDACTED (...); line: 1, column: 15]"; the source is
      // always these bytes. The original is not kept as the cause, whose message an error line
      // would repeat.
      String message = SOURCE.matcher(e.getOriginalMessage()).replaceAll("line $1, column $2");
      JsonLocation at = e.getLocation();
      String where =
          at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
      throw new JsonParseException(null, message + where);
    }
  }

  /** Parses the file {@code file}, as {@link #read(byte[])} does. */
  public static JsonNode read(Path file) throws IOException {
    return read(Files.readAllBytes(file));
  }

  private static JsonNode read(JsonParser parser, JsonToken token) throws IOException {
    if (token == null) {
      throw new JsonParseException(parser, "the JSON document ends early");
    }
    switch (token) {
      case START_OBJECT -> {
        ObjectNode object = object();
        for (JsonToken next = parser.nextToken();
            next != JsonToken.END_OBJECT;
            next = parser.nextToken()) {
          if (next != JsonToken.FIELD_NAME) {
            throw new JsonParseException(parser, "the JSON document ends early");
          }
          String name = parser.currentName();
          object.set(name, read(parser, parser.nextToken()));
        }
        return object;
      }
      case START_ARRAY -> {
        ArrayNode array = array();
        for (JsonToken next = parser.nextToken();
            next != JsonToken.END_ARRAY;
            next = parser.nextToken()) {
          array.add(read(parser, next));
        }
        return array;
      }
      case VALUE_STRING -> {
        return TextNode.valueOf(parser.getText());
      }
      case VALUE_NUMBER_INT -> {
        return switch (parser.getNumberType()) {
          case INT -> IntNode.valueOf(parser.getIntValue());
          case LONG -> LongNode.valueOf(parser.getLongValue());
          default -> BigIntegerNode.valueOf(parser.getBigIntegerValue());
        };
      }
      case VALUE_NUMBER_FLOAT -> {
        return DoubleNode.valueOf(parser.getDoubleValue());
      }
      case VALUE_TRUE, VALUE_FALSE -> {
        return BooleanNode.valueOf(token == JsonToken.VALUE_TRUE);
      }
      case VALUE_NULL -> {
        return NullNode.getInstance();
      }
      default -> throw new IOException("unexpected JSON token " + token);
    }
  }
}
