package dev.bale.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bale.event.EventSink;
import dev.bale.event.Level;
import dev.bale.image.Json;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * Talks HTTP to one registry on behalf of one repository: picks the scheme, answers the registry's
 * authentication challenge (basic, or a bearer token fetched from the realm it names and renewed
 * before it expires) and repeats requests that failed for a passing reason.
 */
final class RegistryConnection {
  // A token is renewed this long (or a tenth of its lifetime) before it expires, so that it
  // does not run out between being sent and being checked.
  private static final Duration TOKEN_MARGIN = Duration.ofSeconds(10);

  private final HttpTransport http;
  private final ImageReference target;
  private final URI base;
  private final Optional<Credentials> credentials;
  private volatile List<String> scopes;
  private final RetryPolicy retry;
  private final EventSink events;
  private final boolean allowPlainRealm;

  // Uploads run on several threads, which share the token.
  private volatile Challenge bearer;
  private volatile String authorization;
  private volatile Instant tokenExpiry = Instant.MAX;

  private RegistryConnection(
      HttpTransport http,
      ImageReference target,
      URI base,
      Optional<Credentials> credentials,
      List<String> scopes,
      RetryPolicy retry,
      EventSink events,
      boolean allowPlainRealm) {
    this.http = http;
    this.target = target;
    this.base = base;
    this.credentials = credentials;
    this.scopes = List.copyOf(scopes);
    this.retry = retry;
    this.events = events;
    this.allowPlainRealm = allowPlainRealm;
  }

  /**
   * Connects to the registry of {@code target}, checks that it speaks the Distribution API and
   * authenticates for {@code scopes}, such as {@code repository:app:pull,push}. Credentials go to a
   * token realm over plain HTTP only when the registry itself is spoken to that way or {@code
   * insecure} allows it.
   *
   * @throws RegistryException if the registry cannot be reached or rejects the credentials
   */
  static RegistryConnection open(
      HttpTransport http,
      ImageReference target,
      String scheme,
      boolean insecure,
      Optional<Credentials> credentials,
      List<String> scopes,
      RetryPolicy retry,
      EventSink events)
      throws RegistryException {
    URI base = URI.create(scheme + "://" + target.apiHost());
    boolean plainRealm = insecure || scheme.equals("http");
    RegistryConnection connection =
        new RegistryConnection(http, target, base, credentials, scopes, retry, events, plainRealm);
    connection.authenticate();
    return connection;
  }

  /**
   * Extends the connection to {@code more} scopes, such as those of the repositories a push mounts
   * blobs from. Only a bearer token is bound to scopes: it is fetched again for all of them.
   *
   * @throws RegistryException if the token server cannot be reached or refuses
   */
  synchronized void widen(List<String> more) throws RegistryException {
    if (scopes.containsAll(more)) {
      return;
    }
    List<String> union = new ArrayList<>(scopes);
    for (String scope : more) {
      if (!union.contains(scope)) {
        union.add(scope);
      }
    }
    List<String> before = scopes;
    scopes = List.copyOf(union);
    if (bearer != null) {
      try {
        fetchToken();
      } catch (RegistryException e) {
        // The token in hand still serves the scopes it was fetched for.
        scopes = before;
        throw e;
      }
    }
  }

  /** Returns the URI of {@code path} under the repository, such as {@code blobs/uploads/}. */
  URI repositoryUri(String path) {
    return base.resolve("/v2/" + target.repository() + "/" + path);
  }

  /** Resolves a {@code Location} header, which may be relative, against the registry. */
  URI resolve(String location) {
    return base.resolve(location);
  }

  /** Returns the registry as users name it, for messages. */
  String registry() {
    return target.registry();
  }

  /** Returns the repository the connection works on. */
  String repository() {
    return target.repository();
  }

  private void authenticate() throws RegistryException {
    URI ping = base.resolve("/v2/");
    Response response = ping(ping);
    if (response.statusCode() == 200) {
      return;
    }
    if (response.statusCode() == 400 && base.getScheme().equals("http")) {
      throw new RegistryException(
          "registry '"
              + registry()
              + "' answered plain HTTP with HTTP 400: it probably serves HTTPS (a TLS handshake"
              + " with it failed or was not tried); leave out --plain-http if given, or check"
              + " that it answers TLS within "
              + TlsProbe.HANDSHAKE_TIMEOUT.toSeconds()
              + " s");
    }
    if (response.statusCode() != 401) {
      throw failure("check the API at " + ping, response);
    }
    Challenge challenge = Challenge.parse(response.header("WWW-Authenticate").orElse("basic"));
    if (challenge.scheme().equals("bearer")) {
      bearer = challenge;
      fetchToken();
    } else if (challenge.scheme().equals("basic")) {
      authorization = credentials.orElseThrow(this::noCredentials).basicAuthorization();
    } else {
      throw new RegistryException(
          "registry '"
              + registry()
              + "' asks for authentication scheme '"
              + challenge.scheme()
              + "', which bale does not speak (basic and bearer only)");
    }
    Response again = ping(ping);
    if (again.statusCode() == 401) {
      throw rejectedCredentials(again);
    }
    if (again.statusCode() != 200) {
      throw failure("check the API at " + ping, again);
    }
  }

  private RegistryException noCredentials() {
    return new RegistryException(
        "registry '"
            + registry()
            + "' needs credentials and none were found for '"
            + target.repositoryName()
            + "': give --creds USER:PASSWORD or --creds-file FILE, or log in with podman login");
  }

  private RegistryException rejectedCredentials(Response response) {
    if (credentials.isEmpty()) {
      return noCredentials();
    }
    return new RegistryException(
        "registry '"
            + registry()
            + "' rejected the credentials for repository '"
            + repository()
            + "' (HTTP 401"
            + detail(response)
            + "): check the user name and password");
  }

  // LIMITATION: tokens come only from a GET on the realm (the Docker token protocol); the
  // OAuth2 POST with a refresh token that some registries also offer is not used, so an
  // identity token stored by docker login (identitytoken in config.json) is ignored.
  private synchronized void fetchToken() throws RegistryException {
    String realm = bearer.parameter("realm");
    if (realm == null || realm.isEmpty()) {
      throw new RegistryException(
          "registry '" + registry() + "' asks for a bearer token but names no realm");
    }
    URI realmUri;
    try {
      realmUri = URI.create(realm);
    } catch (IllegalArgumentException e) {
      throw new RegistryException(
          "registry '" + registry() + "' names a bad token realm '" + realm + "'");
    }
    if (credentials.isPresent() && "http".equals(realmUri.getScheme()) && !allowPlainRealm) {
      throw new RegistryException(
          "registry '"
              + registry()
              + "' wants credentials sent to '"
              + realm
              + "' over plain HTTP; bale refuses unless --plain-http or --insecure is given");
    }

    StringBuilder query = new StringBuilder();
    String service = bearer.parameter("service");
    if (service != null) {
      query.append("service=").append(encode(service));
    }
    for (String scope : scopes) {
      query.append(query.length() > 0 ? "&" : "").append("scope=").append(encode(scope));
    }
    URI uri = URI.create(realm + (realm.contains("?") ? "&" : "?") + query);
    Request request = Request.get(uri);
    if (credentials.isPresent()) {
      request = request.header("Authorization", credentials.get().basicAuthorization());
    }
    Response response = sendWithRetries(request, Response.Reading.BYTES, "fetch a token", false);
    if (response.statusCode() == 401 || response.statusCode() == 403) {
      if (credentials.isEmpty()) {
        throw noCredentials();
      }
      throw new RegistryException(
          "the token server '"
              + realmUri.getHost()
              + "' for registry '"
              + registry()
              + "' rejected the credentials (HTTP "
              + response.statusCode()
              + "): check the user name and password");
    }
    if (response.statusCode() != 200) {
      throw failure("fetch a token from '" + realmUri.getHost() + "'", response);
    }
    readToken(response.bytes(), realmUri);
  }

  private void readToken(byte[] body, URI realm) throws RegistryException {
    JsonNode json;
    try {
      json = Json.read(body);
    } catch (IOException e) {
      throw new RegistryException(
          "the token server '" + realm.getHost() + "' answered with something that is not JSON");
    }
    String token = json.path("token").asText(json.path("access_token").asText(""));
    if (token.isEmpty()) {
      throw new RegistryException(
          "the token server '" + realm.getHost() + "' answered without a token");
    }
    // The specification's default lifetime is 60 seconds when none is given. A shorter one is
    // taken at its word: the registry, not bale, decides when its tokens stop working.
    Duration lifetime = Duration.ofSeconds(Math.max(1, json.path("expires_in").asLong(60)));
    Duration tenth = lifetime.dividedBy(10);
    Duration margin = tenth.compareTo(TOKEN_MARGIN) < 0 ? tenth : TOKEN_MARGIN;
    tokenExpiry = Instant.now().plus(lifetime).minus(margin);
    authorization = "Bearer " + token;
    events.log(Level.DEBUG, "got a token for " + String.join(" ", scopes));
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  /**
   * Sends a request that is safe to repeat, renewing the token and retrying after passing failures;
   * returns the last response, whatever its status.
   */
  Response send(Request request, Response.Reading reading, String what) throws RegistryException {
    return sendAuthenticated(request, reading, what, true);
  }

  /**
   * Sends a request that is safe to repeat without the registry's credentials, such as a blob
   * download redirected to storage elsewhere.
   */
  Response sendAnonymously(Request request, Response.Reading reading, String what)
      throws RegistryException {
    return sendWithRetries(request, reading, what, false);
  }

  /** Sends a request once (renewing the token if it expired), for callers that resume. */
  Response sendOnce(Request request, Response.Reading reading, String what)
      throws RegistryException, IOException {
    refreshTokenIfExpiring();
    try {
      return http.send(timed(withAuthorization(request)), reading);
    } catch (InterruptedIOException e) {
      if (e.getClass() == InterruptedIOException.class) {
        throw new InterruptedIOException("interrupted while trying to " + what);
      }
      throw e;
    }
  }

  /** Returns {@code request} with a response timeout that fits the size of its body. */
  private Request timed(Request request) {
    return request.timeout(retry.responseTimeout(request.bodyLength()));
  }

  /** Asks the registry's API root, with retries, whether it wants authentication. */
  private Response ping(URI uri) throws RegistryException {
    return sendWithRetries(Request.get(uri), Response.Reading.BYTES, "reach the API", true);
  }

  private Response sendAuthenticated(
      Request request, Response.Reading reading, String what, boolean auth)
      throws RegistryException {
    Response response = sendWithRetries(request, reading, what, auth);
    if (response.statusCode() == 401 && bearer != null) {
      // The token may have expired early or been revoked: one fresh token, one more try.
      response.discard();
      fetchToken();
      response = sendWithRetries(request, reading, what, auth);
    }
    return response;
  }

  private Response sendWithRetries(
      Request request, Response.Reading reading, String what, boolean auth)
      throws RegistryException {
    for (int attempt = 1; ; attempt++) {
      Response response;
      try {
        if (auth) {
          refreshTokenIfExpiring();
        }
        response = http.send(timed(auth ? withAuthorization(request) : request), reading);
      } catch (ConnectException | UnknownHostException e) {
        throw unreachable(e);
      } catch (SSLException e) {
        if (TlsProbe.certificateProblem(e) != null) {
          throw TlsProbe.untrusted(registry(), what, e);
        }
        throw new RegistryException(
            "cannot " + what + " on registry '" + registry() + "': TLS failed: " + describe(e));
      } catch (IOException e) {
        // The exact class is an interrupt; a timeout is a subclass, and worth a retry.
        if (e.getClass() == InterruptedIOException.class) {
          throw new RegistryException("interrupted while trying to " + what);
        }
        if (attempt >= retry.attempts()) {
          throw new RegistryException(
              "cannot "
                  + what
                  + " on registry '"
                  + registry()
                  + "' for repository '"
                  + repository()
                  + "': "
                  + describe(e)
                  + " (gave up after "
                  + attempt
                  + " attempts)",
              e);
        }
        events.log(Level.WARN, "retrying " + what + " on " + registry() + ": " + describe(e));
        pause(retry.delay(attempt));
        continue;
      }

      int status = response.statusCode();
      if ((status >= 500 || status == 429) && attempt < retry.attempts()) {
        Duration delay = retryAfter(response).orElse(retry.delay(attempt));
        response.discard();
        events.log(Level.WARN, "retrying " + what + " on " + registry() + " after HTTP " + status);
        pause(delay);
        continue;
      }
      return response;
    }
  }

  /**
   * Returns the wait that {@code response}'s {@code Retry-After} asks for, bounded by the retry
   * policy, or nothing when it asks for none in seconds.
   */
  Optional<Duration> retryAfter(Response response) {
    return response
        .header("Retry-After")
        .flatMap(RegistryConnection::seconds)
        .map(retry::retryAfter);
  }

  private static Optional<Long> seconds(String value) {
    try {
      return Optional.of(Long.parseLong(value.trim()));
    } catch (NumberFormatException e) {
      // An HTTP date instead of seconds: fall back to the usual backoff.
      return Optional.empty();
    }
  }

  private synchronized void refreshTokenIfExpiring() throws RegistryException {
    if (bearer != null && Instant.now().isAfter(tokenExpiry)) {
      fetchToken();
    }
  }

  private Request withAuthorization(Request request) {
    String current = authorization;
    return current == null ? request : request.header("Authorization", current);
  }

  /** Returns the exception for a registry that is not there. */
  RegistryException unreachable(IOException e) {
    return new RegistryException(
        "cannot reach registry '"
            + registry()
            + "' at "
            + base
            + ": "
            + describe(e)
            + " (is it running, and is the host and port right?)",
        null);
  }

  static String describe(IOException e) {
    if (e instanceof ConnectException) {
      return "connection refused";
    }
    if (e instanceof UnknownHostException) {
      return "unknown host '" + e.getMessage() + "'";
    }
    String message = e.getMessage();
    return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
  }

  /**
   * Returns the exception for an unexpected {@code response} while trying to {@code what}: one line
   * naming the registry, the repository, the status and what the registry said.
   */
  RegistryException failure(String what, Response response) {
    int status = response.statusCode();
    boolean insufficientScope =
        response
            .header("WWW-Authenticate")
            .map(header -> "insufficient_scope".equals(Challenge.parse(header).parameter("error")))
            .orElse(false);
    String advice =
        switch (status) {
          case 401 ->
              insufficientScope
                  ? ": the account lacks permission for this in that repository (insufficient"
                      + " scope)"
                  : ": the registry wants other credentials; check --creds or podman login";
          case 403 -> ": the account may not do this in that repository";
          case 404 -> ": no such repository or object; check the reference";
          default -> "";
        };
    return new RegistryException(
        "cannot "
            + what
            + " in repository '"
            + repository()
            + "' on registry '"
            + registry()
            + "': HTTP "
            + status
            + detail(response)
            + advice);
  }

  /** Returns {@code " CODE: message"} from a registry error body, or nothing. */
  static String detail(Response response) {
    byte[] body = response.firstBytes(64 * 1024);
    try {
      JsonNode first = Json.read(body).path("errors").path(0);
      if (first.isObject()) {
        String message = first.path("message").asText("");
        return " " + first.path("code").asText("") + (message.isEmpty() ? "" : ": " + message);
      }
    } catch (IOException | RuntimeException e) {
      // Not a Distribution error body: the status alone has to do.
    }
    return "";
  }

  static void pause(Duration delay) throws RegistryException {
    try {
      Thread.sleep(delay.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryException("interrupted while waiting to retry");
    }
  }
}
