package dev.bale.registry;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A parsed {@code WWW-Authenticate} header, such as {@code Bearer realm="https://auth",
 * service="registry", scope="repository:app:pull"}.
 *
 * @param scheme the scheme in lower case, {@code basic} or {@code bearer}
 * @param parameters the parameters by lower-case name, quotes removed
 */
record Challenge(String scheme, Map<String, String> parameters) {
  Challenge {
    parameters = Map.copyOf(parameters);
  }

  /** Parses {@code header}; parameters it cannot read are left out. */
  static Challenge parse(String header) {
    String text = header.trim();
    int space = text.indexOf(' ');
    String scheme = (space < 0 ? text : text.substring(0, space)).toLowerCase(Locale.ROOT);
    Map<String, String> parameters = new LinkedHashMap<>();
    int i = space < 0 ? text.length() : space + 1;
    while (i < text.length()) {
      int equals = text.indexOf('=', i);
      if (equals < 0) {
        break;
      }
      String name = text.substring(i, equals).trim().toLowerCase(Locale.ROOT);
      StringBuilder value = new StringBuilder();
      int j = equals + 1;
      if (j < text.length() && text.charAt(j) == '"') {
        j++;
        while (j < text.length() && text.charAt(j) != '"') {
          // A backslash quotes the next character inside a quoted string.
          if (text.charAt(j) == '\\' && j + 1 < text.length()) {
            j++;
          }
          value.append(text.charAt(j++));
        }
        j++;
      } else {
        while (j < text.length() && text.charAt(j) != ',') {
          value.append(text.charAt(j++));
        }
      }
      parameters.put(name, value.toString().trim());
      while (j < text.length() && (text.charAt(j) == ',' || text.charAt(j) == ' ')) {
        j++;
      }
      i = j;
    }
    return new Challenge(scheme, parameters);
  }

  /** Returns the parameter {@code name}, or null. */
  String parameter(String name) {
    return parameters.get(name);
  }
}
