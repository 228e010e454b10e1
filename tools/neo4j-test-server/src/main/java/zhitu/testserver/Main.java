package zhitu.testserver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
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
import sun.misc.SignalHandler;

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

    // Guards these fields: main (starting up) and the shutdown hook (a signal) may race.
    private static final Object LOCK = new Object();
    private static boolean stopping;
    private static DatabaseManagementService dbms; // set once ready
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

        // Fail fast when the port is taken: Neo4j itself only binds Bolt after ~10 s of startup.
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(HOST, port));
        } catch (IOException e) {
            fail("cannot listen on " + HOST + ":" + port + ": " + e.getMessage());
        }

        // A signal becomes a normal exit (status 0); the shutdown hook does the cleanup.
        SignalHandler exit = s -> System.exit(0);
        Signal.handle(new Signal("TERM"), exit);
        if (Signal.handle(new Signal("INT"), exit) == SignalHandler.SIG_IGN) {
            // Started with '&' from a script: SIGINT was ignored on entry and stays ignored.
            System.err.println("neo4j-test-server: SIGINT is ignored in this process; stop it with SIGTERM");
        }
        Runtime.getRuntime().addShutdownHook(new Thread(Main::stop, "neo4j-test-server-stop"));

        try {
            Path dir;
            synchronized (LOCK) {
                if (stopping) {
                    return; // a signal came already; the JVM is exiting
                }
                dir = Files.createTempDirectory("neo4j-test-server-");
                home = dir;
            }
            DatabaseManagementService service = start(dir, new SocketAddress(HOST, port), password);
            synchronized (LOCK) {
                if (!stopping) {
                    dbms = service;
                    System.out.println("neo4j-test-server ready bolt://" + HOST + ":" + port);
                    System.out.flush();
                }
            }
        } catch (Throwable t) {
            synchronized (LOCK) {
                if (stopping) {
                    return; // a signal came during startup; the JVM is exiting anyway
                }
            }
            Throwable root = t;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            System.err.println("neo4j-test-server: failed to start: " + root);
            t.printStackTrace();
            System.exit(1); // the shutdown hook still cleans up
        }

        // Wait until a signal ends the JVM.
        Thread.currentThread().join();
    }

    /** Start the DBMS in `dir` and set the password of the built-in user `neo4j`. */
    private static DatabaseManagementService start(Path dir, SocketAddress bolt, String password) {
        DatabaseManagementService service = new DatabaseManagementServiceBuilder(dir)
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
        // No password change is demanded at first login. This first Cypher query also warms
        // up the query compiler, so a client's first query is not the slow one.
        try {
            service.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME).executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $p CHANGE NOT REQUIRED", Map.of("p", password));
        } catch (RuntimeException e) {
            service.shutdown();
            throw e;
        }
        return service;
    }

    /**
     * Shutdown hook: shut the DBMS down and delete the temporary directory. A signal during
     * startup does not wait for startup to finish: the directory is just deleted.
     */
    private static void stop() {
        DatabaseManagementService service;
        Path dir;
        synchronized (LOCK) {
            stopping = true;
            service = dbms;
            dir = home;
        }
        if (service != null) {
            try {
                service.shutdown();
            } catch (Throwable t) {
                System.err.println("neo4j-test-server: shutdown error: " + t);
            }
        }
        // Retry: while still starting, Neo4j may create files as we delete.
        for (int i = 0; dir != null && i < 5 && Files.exists(dir); i++) {
            deleteTree(dir, i == 4);
            if (Files.exists(dir)) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    break;
                }
            }
        }
    }

    private static void deleteTree(Path root, boolean report) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    if (report) {
                        System.err.println("neo4j-test-server: could not delete " + p + ": " + e);
                    }
                }
            });
        } catch (IOException | UncheckedIOException e) {
            if (report) {
                System.err.println("neo4j-test-server: could not delete " + root + ": " + e);
            }
        }
    }

    private static void fail(String message) {
        System.err.println("neo4j-test-server: " + message);
        System.exit(2);
    }
}
