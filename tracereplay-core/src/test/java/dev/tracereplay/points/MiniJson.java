package dev.tracereplay.points;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict little JSON reader for checking printed lines: objects become {@code Map}s in key
 * order, arrays {@code List}s, numbers {@code Long} (or {@code Double} with a fraction or exponent).
 */
final class MiniJson {
  private final String text;
  private int at;

  private MiniJson(String text) {
    this.text = text;
  }

  /** Parses one JSON value that must fill {@code text}. */
  static Object parse(String text) {
    MiniJson json = new MiniJson(text);
    Object value = json.value();
    if (json.at != text.length()) {
      throw json.error("text after the value");
    }
    return value;
  }

  private Object value() {
    char c = peek();
    switch (c) {
      case '{' -> {
        Map<String, Object> object = new LinkedHashMap<>();
        at++;
        if (peek() == '}') {
          at++;
          return object;
        }
        do {
          String key = string();
          expect(':');
          if (object.put(key, value()) != null) {
            throw error("duplicate key " + key);
          }
        } while (next() == ',');
        at--;
        expect('}');
        return object;
      }
      case '[' -> {
        List<Object> array = new ArrayList<>();
        at++;
        if (peek() == ']') {
          at++;
          return array;
        }
        do {
          array.add(value());
        } while (next() == ',');
        at--;
        expect(']');
        return array;
      }
      case '"' -> {
        return string();
      }
      default -> {
        for (String word : new String[] {"true", "false", "null"}) {
          if (text.startsWith(word, at)) {
            at += word.length();
            return word.equals("null") ? null : Boolean.valueOf(word);
          }
        }
        int start = at;
        while (at < text.length() && "+-0123456789.eE".indexOf(text.charAt(at)) >= 0) {
          at++;
        }
        String number = text.substring(start, at);
        if (number.isEmpty()) {
          throw error("unexpected character");
        }
        return number.matches("-?(0|[1-9][0-9]*)") ? (Object) Long.parseLong(number) : (Object) Double.parseDouble(number);
      }
    }
  }

  private String string() {
    expect('"');
    StringBuilder out = new StringBuilder();
    while (true) {
      char c = text.charAt(at++);
      if (c == '"') {
        return out.toString();
      }
      if (c < 0x20) {
        throw error("unescaped control character");
      }
      if (c != '\\') {
        out.append(c);
        continue;
      }
      char e = text.charAt(at++);
      switch (e) {
        case '"', '\\', '/' -> out.append(e);
        case 'n' -> out.append('\n');
        case 't' -> out.append('\t');
        case 'r' -> out.append('\r');
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        case 'u' -> {
          out.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
          at += 4;
        }
        default -> throw error("bad escape \\" + e);
      }
    }
  }

  private char peek() {
    if (at >= text.length()) {
      throw error("unexpected end");
    }
    return text.charAt(at);
  }

  private char next() {
    return text.charAt(at++);
  }

  private void expect(char c) {
    if (peek() != c) {
      throw error("expected '" + c + "'");
    }
    at++;
  }

  private IllegalArgumentException error(String what) {
    return new IllegalArgumentException(what + " at " + at + " in " + text);
  }
}
