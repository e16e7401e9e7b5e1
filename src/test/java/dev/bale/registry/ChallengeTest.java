package dev.bale.registry;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ChallengeTest {
  @Test
  void parse_bearer_readsQuotedParametersWithCommas() {
    Challenge challenge =
        Challenge.parse(
            "Bearer realm=\"https://auth.example.com/token\",service=\"registry.example.com\","
                + "scope=\"repository:a/b:pull,push\",error=\"insufficient_scope\"");

    assertThat(challenge.scheme()).isEqualTo("bearer");
    assertThat(challenge.parameter("realm")).isEqualTo("https://auth.example.com/token");
    assertThat(challenge.parameter("service")).isEqualTo("registry.example.com");
    assertThat(challenge.parameter("scope")).isEqualTo("repository:a/b:pull,push");
    assertThat(challenge.parameter("error")).isEqualTo("insufficient_scope");
  }

  @Test
  void parse_basic_unquotedAndEscaped() {
    Challenge challenge = Challenge.parse("Basic realm=\"say \\\"hi\\\"\", charset=UTF-8");

    assertThat(challenge.scheme()).isEqualTo("basic");
    assertThat(challenge.parameter("realm")).isEqualTo("say \"hi\"");
    assertThat(challenge.parameter("charset")).isEqualTo("UTF-8");
  }

  @Test
  void parse_schemeAlone_hasNoParameters() {
    assertThat(Challenge.parse("Basic").parameters()).isEmpty();
  }
}
