package io.hiq.jack.log;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.EncoderBase;
import java.nio.charset.StandardCharsets;

/**
 * Writes each event as one bare line: the tree's B4 JSON bytes and {@code \n}, nothing else (the
 * jack log format of DESIGN B4). Usable from a logback.xml as
 * {@code <encoder class="io.hiq.jack.log.JackLineEncoder"/>}.
 */
public final class JackLineEncoder extends EncoderBase<ILoggingEvent> {
    private static final byte[] NONE = new byte[0];

    @Override
    public byte[] headerBytes() { return NONE; }

    @Override
    public byte[] encode(ILoggingEvent event) {
        byte[] json;
        if (event instanceof JackEvent j) {
            if (j.isLines()) return j.line().json();
            json = j.line().json();
        } else {
            Object[] args = event.getArgumentArray();
            json = args != null && args.length == 1 && args[0] instanceof JackLine l
                    ? l.json()
                    : event.getFormattedMessage().getBytes(StandardCharsets.UTF_8);
        }
        byte[] line = new byte[json.length + 1];
        System.arraycopy(json, 0, line, 0, json.length);
        line[json.length] = '\n';
        return line;
    }

    @Override
    public byte[] footerBytes() { return NONE; }
}
