package dev.dpo4j.adapters.io;

import com.github.luben.zstd.Zstd;
import io.airlift.compress.lz4.Lz4Compressor;
import io.airlift.compress.lz4.Lz4Decompressor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.xerial.snappy.Snappy;

/**
 * Parquet page codecs without Hadoop. parquet-java's own {@code CodecFactory} instantiates Hadoop
 * {@code CompressionCodec}s even with {@code PlainParquetConfiguration}; this factory calls the same compression
 * libraries parquet-hadoop already depends on directly: snappy-java (SNAPPY), zstd-jni (ZSTD), java.util.zip (GZIP)
 * and aircompressor (LZ4_RAW). UNCOMPRESSED passes through. BROTLI, LZO and the deprecated Hadoop-framed LZ4 are
 * refused with a message naming the codec.
 */
public final class HadoopFreeCodecs implements CompressionCodecFactory {

    /** The shared, stateless instance. */
    public static final HadoopFreeCodecs INSTANCE = new HadoopFreeCodecs();

    private HadoopFreeCodecs() {
    }

    @Override
    public BytesInputCompressor getCompressor(CompressionCodecName codec) {
        supported(codec);
        return new BytesInputCompressor() {
            @Override
            public BytesInput compress(BytesInput bytes) throws IOException {
                return BytesInput.from(HadoopFreeCodecs.compress(codec, bytes.toByteArray()));
            }

            @Override
            public CompressionCodecName getCodecName() {
                return codec;
            }

            @Override
            public void release() {
                // stateless
            }
        };
    }

    @Override
    public BytesInputDecompressor getDecompressor(CompressionCodecName codec) {
        supported(codec);
        return new BytesInputDecompressor() {
            @Override
            public BytesInput decompress(BytesInput bytes, int uncompressedSize) throws IOException {
                return BytesInput.from(HadoopFreeCodecs.decompress(codec, bytes.toByteArray(), uncompressedSize));
            }

            @Override
            public void decompress(ByteBuffer input, int compressedSize, ByteBuffer output, int uncompressedSize)
                    throws IOException {
                byte[] in = new byte[compressedSize];
                input.get(in);
                output.put(HadoopFreeCodecs.decompress(codec, in, uncompressedSize));
            }

            @Override
            public void release() {
                // stateless
            }
        };
    }

    @Override
    public void release() {
        // stateless
    }

    private static void supported(CompressionCodecName codec) {
        switch (codec) {
            case UNCOMPRESSED:
            case SNAPPY:
            case GZIP:
            case ZSTD:
            case LZ4_RAW:
                return;
            default:
                throw new UnsupportedOperationException("Parquet codec " + codec
                        + " is not supported without Hadoop; supported: UNCOMPRESSED, SNAPPY, GZIP, ZSTD, LZ4_RAW");
        }
    }

    static byte[] compress(CompressionCodecName codec, byte[] in) throws IOException {
        switch (codec) {
            case SNAPPY:
                return Snappy.compress(in);
            case ZSTD:
                return Zstd.compress(in, 3);
            case GZIP: {
                ByteArrayOutputStream out = new ByteArrayOutputStream(in.length / 2 + 16);
                try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
                    gzip.write(in);
                }
                return out.toByteArray();
            }
            case LZ4_RAW: {
                Lz4Compressor lz4 = new Lz4Compressor();
                byte[] out = new byte[lz4.maxCompressedLength(in.length)];
                int n = lz4.compress(in, 0, in.length, out, 0, out.length);
                byte[] result = new byte[n];
                System.arraycopy(out, 0, result, 0, n);
                return result;
            }
            default:
                return in;
        }
    }

    static byte[] decompress(CompressionCodecName codec, byte[] in, int uncompressedSize) throws IOException {
        switch (codec) {
            case SNAPPY: {
                byte[] out = new byte[uncompressedSize];
                Snappy.uncompress(in, 0, in.length, out, 0);
                return out;
            }
            case ZSTD:
                return Zstd.decompress(in, uncompressedSize);
            case GZIP:
                try (InputStream gzip = new GZIPInputStream(new java.io.ByteArrayInputStream(in))) {
                    return gzip.readNBytes(uncompressedSize);
                }
            case LZ4_RAW: {
                byte[] out = new byte[uncompressedSize];
                new Lz4Decompressor().decompress(in, 0, in.length, out, 0, out.length);
                return out;
            }
            default:
                return in;
        }
    }
}
