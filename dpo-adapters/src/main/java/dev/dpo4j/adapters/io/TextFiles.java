package dev.dpo4j.adapters.io;

import dev.dpo4j.api.data.DataFormatException;
import dev.dpo4j.hub.datasets.DataFileFormat;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Opens UTF-8 text files, gunzipping {@code .gz} ones on the fly. */
final class TextFiles {

    private TextFiles() {
    }

    static BufferedReader open(Path path) {
        try {
            InputStream in = Files.newInputStream(path);
            if (DataFileFormat.gzipped(path)) {
                try {
                    in = new GZIPInputStream(in, 1 << 16);
                } catch (IOException notGzip) {
                    in.close();
                    throw notGzip;
                }
            }
            return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
        } catch (IOException e) {
            throw new DataFormatException(path.toString(), -1, null, "cannot be opened: " + e, e);
        }
    }
}
