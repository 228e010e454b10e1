package zhitu.testserver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.BoltConnectorInternalSettings;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;

import sun.misc.Signal;

/**
 * A throwaway Neo4j 5 Community server for tests.
 *
 * Usage: Main PORT PASSWORD
 *
 * Starts the embedded engine on a fresh temporary directory with Bolt on 127.0.0.1:PORT,
 * auth on (user neo4j / PASSWORD), prints one ready line to stdout and waits.
 * SIGTERM or SIGINT shuts it down, deletes the directory and exits 0.
 */
public final class Main {
    private static final String HOST = "127.0.0.1";

    private static volatile DatabaseManagementService dbms;
    private static Path home;

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            fail("usage: neo4j-test-server PORT PASSWORD");
        }
        int port;
        try {
            port = Integer.parseInt(args[0]);
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535) {
            fail("PORT must be a number between 1 and 65535, got '" + args[0] + "'");
        }
        String password = args[1];
        if (password.length() < 8) {
            // Same rule as a stock Neo4j 5 server (dbms.security.auth_minimum_password_length).
            fail("PASSWORD must be at least 8 characters");
        }

        home = Files.createTempDirectory("neo4j-test-server-");

        // A signal becomes a normal exit (status 0); the shutdown hook does the cleanup.
        Signal.handle(new Signal("TERM"), s -> System.exit(0));
        Signal.handle(new Signal("INT"), s -> System.exit(0));
        Runtime.getRuntime().addShutdownHook(new Thread(Main::stop, "neo4j-test-server-stop"));

        SocketAddress bolt = new SocketAddress(HOST, port);
        try {
            dbms = new DatabaseManagementServiceBuilder(home)
                    .setConfig(BoltConnector.enabled, true)
                    .setConfig(BoltConnector.listen_address, bolt)
                    .setConfig(BoltConnector.advertised_address, bolt)
                    .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                    .setConfig(HttpConnector.enabled, false)
                    .setConfig(HttpsConnector.enabled, false)
                    .setConfig(GraphDatabaseSettings.auth_enabled, true)
                    .setConfig(GraphDatabaseSettings.udc_enabled, false)
                    // Bolt otherwise idles 2 x 5 s on shutdown, even with no client connected.
                    .setConfig(BoltConnectorInternalSettings.thread_pool_shutdown_wait_time, Duration.ofMillis(500))
                    .setConfig(BoltConnectorInternalSettings.connection_shutdown_wait_time, Duration.ofMillis(500))
                    // Small footprint: tests hold little data.
                    .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(256))
                    .setConfig(GraphDatabaseSettings.keep_logical_logs, "1 files")
                    .setConfig(GraphDatabaseSettings.logical_log_rotation_threshold, ByteUnit.mebiBytes(16))
                    .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                    .build();

            // Set the password of the built-in user; no change is demanded at first login.
            dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME).executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $p CHANGE NOT REQUIRED", Map.of("p", password));
        } catch (Throwable t) {
            System.err.println("neo4j-test-server: failed to start: " + t);
            t.printStackTrace();
            System.exit(1); // the shutdown hook still cleans up
        }

        System.out.println("neo4j-test-server ready bolt://" + HOST + ":" + port);
        System.out.flush();

        // Wait until a signal ends the JVM.
        Thread.currentThread().join();
    }

    /** Shut the DBMS down and delete the temporary directory. */
    private static void stop() {
        DatabaseManagementService service = dbms;
        dbms = null;
        if (service != null) {
            try {
                service.shutdown();
            } catch (Throwable t) {
                System.err.println("neo4j-test-server: shutdown error: " + t);
            }
        }
        if (home != null) {
            deleteTree(home);
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    System.err.println("neo4j-test-server: could not delete " + p + ": " + e);
                }
            });
        } catch (IOException e) {
            System.err.println("neo4j-test-server: could not delete " + root + ": " + e);
        }
    }

    private static void fail(String message) {
        System.err.println("neo4j-test-server: " + message);
        System.exit(2);
    }
}
