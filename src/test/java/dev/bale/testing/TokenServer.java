package dev.bale.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiFunction;

/**
 * A bearer-token server for tests: on 127.0.0.1 it checks a user's password and issues JSON Web
 * Tokens, signed with an RSA key made by the openssl command, granting the actions a policy allows.
 * The registry trusts the key's certificate through its {@code auth.token} settings.
 */
public final class TokenServer implements AutoCloseable {
  /** The service name the registry and the tokens share. */
  public static final String SERVICE = "bale-test-registry";

  /** The issuer the registry expects. */
  public static final String ISSUER = "bale-test-issuer";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final Path certificate;
  private final PrivateKey key;
  private final String certificateBase64;
  private final String user;
  private final String password;
  private final BiFunction<String, String, Set<String>> policy;
  private final List<String> requestedScopes = Collections.synchronizedList(new ArrayList<>());
  private final java.util.concurrent.atomic.AtomicInteger tokensIssued =
      new java.util.concurrent.atomic.AtomicInteger();
  private volatile long lifetimeSeconds = 300;

  private TokenServer(
      Path directory, String user, String password, BiFunction<String, String, Set<String>> policy)
      throws IOException, InterruptedException, java.security.GeneralSecurityException {
    this.user = user;
    this.password = password;
    this.policy = policy;
    RegistryFixture.requireTool("openssl", "openssl");
    Path keyFile = directory.resolve("token.key");
    certificate = directory.resolve("token.crt");
    RegistryFixture.run(
        List.of(
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=bale-test-token",
            "-keyout",
            keyFile.toString(),
            "-out",
            certificate.toString()));
    key = readKey(keyFile);
    X509Certificate cert;
    try (InputStream in = Files.newInputStream(certificate)) {
      cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
    certificateBase64 = Base64.getEncoder().encodeToString(cert.getEncoded());
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/token", this::token);
    server.start();
  }

  /**
   * Starts a server for {@code user} with {@code password}; {@code policy} gives the actions the
   * user may take on a repository, from (user, repository).
   */
  public static TokenServer start(
      Path directory, String user, String password, BiFunction<String, String, Set<String>> policy)
      throws Exception {
    return new TokenServer(directory, user, password, policy);
  }

  private static PrivateKey readKey(Path file)
      throws IOException, java.security.GeneralSecurityException {
    String pem = Files.readString(file);
    String body = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    return KeyFactory.getInstance("RSA")
        .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
  }

  /** Returns the URL of the token endpoint. */
  public String realm() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
  }

  /** Returns the certificate the registry must trust. */
  public Path certificate() {
    return certificate;
  }

  /** Returns every scope asked for so far, in order. */
  public List<String> requestedScopes() {
    synchronized (requestedScopes) {
      return List.copyOf(requestedScopes);
    }
  }

  /**
   * Sets how many seconds the tokens issued from now on live, as {@code expires_in} and their
   * {@code exp} claim say (300 unless set).
   */
  public void tokenLifetime(long seconds) {
    lifetimeSeconds = seconds;
  }

  /** Returns how many tokens the server issued so far. */
  public int tokensIssued() {
    return tokensIssued.get();
  }

  private void token(HttpExchange exchange) throws IOException {
    try (exchange) {
      String account = authenticate(exchange.getRequestHeaders().getFirst("Authorization"));
      if (account == null) {
        exchange.sendResponseHeaders(401, -1);
        return;
      }
      ArrayNode access = JSON.createArrayNode();
      String query = exchange.getRequestURI().getRawQuery();
      for (String pair : query == null ? new String[0] : query.split("&")) {
        if (!pair.startsWith("scope=")) {
          continue;
        }
        String scope = URLDecoder.decode(pair.substring(6), StandardCharsets.UTF_8);
        requestedScopes.add(scope);
        grant(account, scope, access);
      }
      byte[] body =
          JSON.writeValueAsBytes(
              JSON.createObjectNode()
                  .put("token", sign(account, access))
                  .put("expires_in", lifetimeSeconds)
                  .put("issued_at", Instant.now().toString()));
      tokensIssued.incrementAndGet();
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
    }
  }

  /** Returns the account of a valid basic header, "" for anonymous, or null for a bad one. */
  private String authenticate(String header) {
    if (header == null) {
      return "";
    }
    if (!header.startsWith("Basic ")) {
      return null;
    }
    String pair =
        new String(Base64.getDecoder().decode(header.substring(6)), StandardCharsets.UTF_8);
    return pair.equals(user + ":" + password) ? user : null;
  }

  private void grant(String account, String scope, ArrayNode access) {
    String[] parts = scope.split(":");
    if (parts.length != 3 || !parts[0].equals("repository")) {
      return;
    }
    Set<String> allowed = policy.apply(account, parts[1]);
    Set<String> granted = new LinkedHashSet<>();
    for (String action : parts[2].split(",")) {
      if (allowed.contains(action)) {
        granted.add(action);
      }
    }
    ObjectNode entry = access.addObject();
    entry.put("type", "repository");
    entry.put("name", parts[1]);
    granted.forEach(entry.putArray("actions")::add);
  }

  private String sign(String account, ArrayNode access) throws IOException {
    long now = Instant.now().getEpochSecond();
    ObjectNode header = JSON.createObjectNode().put("alg", "RS256").put("typ", "JWT");
    header.putArray("x5c").add(certificateBase64);
    ObjectNode claims =
        JSON.createObjectNode()
            .put("iss", ISSUER)
            .put("sub", account)
            .put("aud", SERVICE)
            .put("exp", now + lifetimeSeconds)
            .put("nbf", now - 10)
            .put("iat", now)
            .put("jti", UUID.randomUUID().toString());
    claims.set("access", access);
    Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
    String signingInput =
        url.encodeToString(JSON.writeValueAsBytes(header))
            + "."
            + url.encodeToString(JSON.writeValueAsBytes(claims));
    try {
      Signature signature = Signature.getInstance("SHA256withRSA");
      signature.initSign(key);
      signature.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput + "." + url.encodeToString(signature.sign());
    } catch (java.security.GeneralSecurityException e) {
      throw new IOException("cannot sign a token", e);
    }
  }

  /** Stops the server. */
  @Override
  public void close() {
    server.stop(0);
  }
}
