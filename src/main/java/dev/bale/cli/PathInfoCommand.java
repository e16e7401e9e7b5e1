package dev.bale.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bale.store.PathInfo;
import dev.bale.store.Store;
import dev.bale.store.StoreException;
import dev.bale.store.StorePath;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Prints what the store records of items: NAR hash, NAR size, references and closure size. */
@Command(
    name = "path-info",
    mixinStandardHelpOptions = true,
    description = "Prints the NAR hash, NAR size, closure size, deriver and references of ITEMs.")
final class PathInfoCommand extends StoreCommand implements Callable<Integer> {
  @Parameters(
      arity = "1..*",
      paramLabel = "ITEM",
      description = "Store paths, HASH-NAME base names or package names such as hello.")
  List<String> items;

  @Option(names = "--json", description = "Print a JSON array, one object per item.")
  boolean json;

  /** One item's record with the size of its closure. */
  private record Described(PathInfo info, long closureSize) {}

  @Override
  public Integer call() throws StoreException {
    PrintWriter out = spec.commandLine().getOut();
    try (Store store = openStore()) {
      List<Described> described = new ArrayList<>();
      for (StorePath path : resolveAll(store, items)) {
        described.add(describe(store, path));
      }
      if (json) {
        printJson(out, described);
      } else {
        described.forEach(item -> printText(out, item));
      }
    }
    out.flush();
    return ExitCode.OK;
  }

  private static Described describe(Store store, StorePath path) throws StoreException {
    PathInfo info = store.pathInfo(path).orElseThrow();
    long closureSize = 0;
    for (StorePath requisite : store.requisites(List.of(path))) {
      closureSize += store.pathInfo(requisite).orElseThrow().narSize();
    }
    return new Described(info, closureSize);
  }

  private static void printText(PrintWriter out, Described item) {
    PathInfo info = item.info();
    out.println(info.path());
    out.println("  nar-hash: " + info.narHash().toNixString());
    out.println("  nar-size: " + info.narSize());
    out.println("  closure-size: " + item.closureSize());
    info.deriverPath().ifPresent(deriver -> out.println("  deriver: " + deriver));
    out.println("  references:");
    for (StorePath reference : info.references()) {
      out.println("    " + reference);
    }
  }

  private static void printJson(PrintWriter out, List<Described> items) {
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ArrayNode array = mapper.createArrayNode();
    for (Described item : items) {
      PathInfo info = item.info();
      ObjectNode node = array.addObject();
      node.put("path", info.path().toString());
      node.put("narHash", info.narHash().toNixString());
      node.put("narSize", info.narSize());
      node.put("closureSize", item.closureSize());
      info.deriverPath().ifPresent(deriver -> node.put("deriver", deriver));
      node.put("registrationTime", info.registrationTime());
      ArrayNode references = node.putArray("references");
      info.references().forEach(reference -> references.add(reference.toString()));
    }
    try {
      out.println(mapper.writeValueAsString(array));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a tree of JSON nodes always serialises", e);
    }
  }
}
