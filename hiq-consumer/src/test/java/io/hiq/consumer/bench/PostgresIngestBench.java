package io.hiq.consumer.bench;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/**
 * Runs {@link IngestBench} against a fresh embedded PostgreSQL server (test class path only; a main,
 * not a test). Arguments are IngestBench's, {@code --store} excepted.
 */
public final class PostgresIngestBench {
    private PostgresIngestBench() {}

    public static void main(String[] args) throws Exception {
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            List<String> a = new ArrayList<>(List.of(args));
            a.add("--store");
            a.add(pg.getJdbcUrl("postgres", "postgres"));
            int code = new CommandLine(new IngestBench()).execute(a.toArray(String[]::new));
            if (code != 0) System.exit(code);
        }
    }
}
