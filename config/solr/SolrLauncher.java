// Starts the real Apache Solr 9 (solr-core in Jetty, from Maven Central's solr-test-framework)
// on a Solr home prepared by scripts/configure.sh. Binds to 127.0.0.1 only.
// Usage: java -cp <jars>:<classes> SolrLauncher <solr-home> <port>
import org.apache.solr.embedded.JettyConfig;
import org.apache.solr.embedded.JettySolrRunner;

public final class SolrLauncher {
  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: SolrLauncher <solr-home> <port>");
      System.exit(2);
    }
    JettyConfig config = JettyConfig.builder()
        .setPort(Integer.parseInt(args[1]))
        .setContext("/solr")
        .stopAtShutdown(true)
        .build();
    JettySolrRunner solr = new JettySolrRunner(args[0], config);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        solr.stop();
      } catch (Exception error) {
        error.printStackTrace();
      }
    }));
    solr.start();
    System.out.println("Solr listening on " + solr.getBaseUrl());
    Thread.currentThread().join();
  }
}
