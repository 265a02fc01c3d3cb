package dev.tracereplay.runsc;

import java.nio.file.Path;
import java.util.List;

/**
 * Writes runsc's pod-init config: one trace session, named {@code Default}, with the chosen points
 * and a {@code remote} sink at the endpoint, as gVisor's documentation shows it. Every name and
 * path is data: each string is escaped, and the output is plain ASCII.
 */
final class PodInitConfig {
  private PodInitConfig() {}

  static String json(List<RunscMetadata.Point> points, Path endpoint) {
    StringBuilder json = new StringBuilder("{\n  \"trace_session\": {\n    \"name\": \"Default\",\n    \"points\": [");
    for (int i = 0; i < points.size(); i++) {
      RunscMetadata.Point point = points.get(i);
      json.append(i == 0 ? "\n" : ",\n").append("      {\"name\": ");
      string(point.name(), json);
      if (!point.optionalFields().isEmpty()) {
        json.append(", \"optional_fields\": ");
        strings(point.optionalFields(), json);
      }
      if (!point.contextFields().isEmpty()) {
        json.append(", \"context_fields\": ");
        strings(point.contextFields(), json);
      }
      json.append('}');
    }
    json.append("\n    ],\n    \"sinks\": [{\"name\": \"remote\", \"config\": {\"endpoint\": ");
    string(endpoint.toString(), json);
    return json.append("}}]\n  }\n}\n").toString();
  }

  private static void strings(List<String> values, StringBuilder json) {
    json.append('[');
    for (int i = 0; i < values.size(); i++) {
      if (i > 0) {
        json.append(", ");
      }
      string(values.get(i), json);
    }
    json.append(']');
  }

  /** A JSON string: quotes, backslashes, control and non-ASCII characters as {@code \\uXXXX}. */
  private static void string(String value, StringBuilder json) {
    json.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '"' || c == '\\' || c < 0x20 || c > 0x7e) {
        json.append(String.format("\\u%04x", (int) c));
      } else {
        json.append(c);
      }
    }
    json.append('"');
  }
}
