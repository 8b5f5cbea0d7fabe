package io.hiq.jack.publisher;

/**
 * The error of an {@link ExportResult} whose trees the publisher did not even try because enough
 * batches are already waiting (back-pressure, not an outage): Jack spools them and replays them
 * as soon as the publisher catches up, without treating the destination as down.
 */
public final class PublisherBusyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PublisherBusyException(String message) {
        super(message, null, false, false);
    }
}
