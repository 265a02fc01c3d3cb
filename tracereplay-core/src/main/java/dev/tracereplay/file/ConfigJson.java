package dev.tracereplay.file;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * A strict reader for the small JSON object at the start of a trace file: enough JSON to accept
 * any valid object and hand back its top-level keys. Written here rather than taken from a JSON
 * library to keep the core's dependency list short. Numbers that are whole and fit a long come
 * back as {@code Long}; everything below the top level is checked and skipped. Nesting is limited
 * so that a hostile config cannot exhaust the stack.
 */
final class ConfigJson {
  private static final int MAX_DEPTH = 64;

  private final String text;
  private int at;

  private ConfigJson(String text) {
    this.text = text;
  }

  /** The top-level keys of a JSON object, with whole numbers and strings as values. */
  static Map<String, Object> parseObject(byte[] json) {
    ConfigJson reader = new ConfigJson(new String(json, StandardCharsets.UTF_8));
    reader.skipSpace();
    if (!reader.peek('{')) {
      throw reader.error("expected a JSON object");
    }
    Map<String, Object> keys = reader.object(0);
    reader.skipSpace();
    if (reader.at != reader.text.length()) {
      throw reader.error("unexpected text after the object");
    }
    return keys;
  }

  /** The start of a config for error messages, at most 80 characters. */
  static String preview(byte[] json) {
    String text = new String(json, 0, Math.min(json.length, 80), StandardCharsets.UTF_8);
    return "'" + text + (json.length > 80 ? "...'" : "'");
  }

  private Map<String, Object> object(int depth) {
    Map<String, Object> keys = new HashMap<>();
    expect('{');
    skipSpace();
    if (peek('}')) {
      at++;
      return keys;
    }
    while (true) {
      skipSpace();
      String key = string();
      skipSpace();
      expect(':');
      skipSpace();
      keys.put(key, value(depth + 1));
      skipSpace();
      if (peek(',')) {
        at++;
      } else {
        expect('}');
        return keys;
      }
    }
  }

  private Object value(int depth) {
    if (depth > MAX_DEPTH) {
      throw error("nested deeper than " + MAX_DEPTH + " levels");
    }
    if (at >= text.length()) {
      throw error("expected a value");
    }
    char c = text.charAt(at);
    switch (c) {
      case '{':
        object(depth);
        return Boolean.TRUE;
      case '[':
        array(depth);
        return Boolean.TRUE;
      case '"':
        return string();
      case 't':
        literal("true");
        return Boolean.TRUE;
      case 'f':
        literal("false");
        return Boolean.FALSE;
      case 'n':
        literal("null");
        return Boolean.FALSE;
      default:
        return number();
    }
  }

  private void array(int depth) {
    expect('[');
    skipSpace();
    if (peek(']')) {
      at++;
      return;
    }
    while (true) {
      skipSpace();
      value(depth + 1);
      skipSpace();
      if (peek(',')) {
        at++;
      } else {
        expect(']');
        return;
      }
    }
  }

  private String string() {
    expect('"');
    StringBuilder out = new StringBuilder();
    while (at < text.length()) {
      char c = text.charAt(at++);
      if (c == '"') {
        return out.toString();
      }
      if (c < 0x20) {
        throw error("control character in a string");
      }
      if (c != '\\') {
        out.append(c);
        continue;
      }
      if (at >= text.length()) {
        break;
      }
      char e = text.charAt(at++);
      switch (e) {
        case '"', '\\', '/' -> out.append(e);
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        case 'n' -> out.append('\n');
        case 'r' -> out.append('\r');
        case 't' -> out.append('\t');
        case 'u' -> {
          if (at + 4 > text.length()) {
            throw error("short \\u escape");
          }
          try {
            out.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
          } catch (NumberFormatException ex) {
            throw error("bad \\u escape");
          }
          at += 4;
        }
        default -> throw error("bad escape \\" + e);
      }
    }
    throw error("unterminated string");
  }

  private Object number() {
    int start = at;
    if (peek('-')) {
      at++;
    }
    int intStart = at;
    digits();
    if (at == intStart || (text.charAt(intStart) == '0' && at - intStart > 1)) {
      throw error("bad number");
    }
    boolean whole = true;
    if (peek('.')) {
      at++;
      int fraction = at;
      digits();
      if (at == fraction) {
        throw error("bad number");
      }
      whole = false;
    }
    if (peek('e') || peek('E')) {
      at++;
      if (peek('+') || peek('-')) {
        at++;
      }
      int exponent = at;
      digits();
      if (at == exponent) {
        throw error("bad number");
      }
      whole = false;
    }
    String literal = text.substring(start, at);
    if (whole) {
      try {
        return Long.parseLong(literal);
      } catch (NumberFormatException tooBig) {
        return literal;
      }
    }
    return literal;
  }

  private void digits() {
    while (at < text.length() && text.charAt(at) >= '0' && text.charAt(at) <= '9') {
      at++;
    }
  }

  private void literal(String word) {
    if (!text.startsWith(word, at)) {
      throw error("expected " + word);
    }
    at += word.length();
  }

  private void expect(char c) {
    if (!peek(c)) {
      throw error("expected '" + c + "'");
    }
    at++;
  }

  private boolean peek(char c) {
    return at < text.length() && text.charAt(at) == c;
  }

  private void skipSpace() {
    while (at < text.length()) {
      char c = text.charAt(at);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return;
      }
      at++;
    }
  }

  private IllegalArgumentException error(String problem) {
    return new IllegalArgumentException("not valid JSON: " + problem + " at character " + at);
  }
}
