package dev.dpo4j.core.kernels;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes a TorchScript archive (what {@code torch.jit.save} writes) around methods given as source text, with
 * {@code java.util.zip} alone: the module object as a small pickle, the code as {@code code/__torch__.py}, empty
 * constants and the format version. libtorch compiles the code when it loads the archive.
 */
final class TorchScriptArchive {

    /** The archive format version: libtorch 2.7.1 reads versions up to 10. */
    static final int FORMAT_VERSION = 10;

    private TorchScriptArchive() {
    }

    /** The archive of a module of class {@code __torch__.<className>} whose code is {@code code}. */
    static byte[] of(String folder, String className, String code) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            entry(zip, folder + "/data.pkl", moduleObject(className));
            entry(zip, folder + "/code/__torch__.py", code.getBytes(StandardCharsets.UTF_8));
            // pickle protocol 2 of an empty tuple
            entry(zip, folder + "/constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'});
            entry(zip, folder + "/version", (FORMAT_VERSION + "\n").getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** The text of a class-path resource next to this class. */
    static String resource(String name) {
        try (InputStream in = TorchScriptArchive.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("class-path resource " + resourcePath(name) + " is missing");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resourcePath(name), e);
        }
    }

    /** The full class-path name of a resource next to this class. */
    static String resourcePath(String name) {
        return TorchScriptArchive.class.getPackageName().replace('.', '/') + "/" + name;
    }

    private static void entry(ZipOutputStream zip, String name, byte[] content) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(content);
        zip.closeEntry();
    }

    /**
     * Pickle protocol 2 of an object of class {@code __torch__.<className>} with the state
     * {@code {"training": True, "_is_full_backward_hook": None}}.
     */
    private static byte[] moduleObject(String className) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(0x80); // PROTO 2
        b.write(2);
        b.writeBytes(("c__torch__\n" + className + "\n").getBytes(StandardCharsets.US_ASCII)); // GLOBAL
        b.write('q'); // BINPUT 0
        b.write(0);
        b.write(')'); // EMPTY_TUPLE
        b.write(0x81); // NEWOBJ
        b.write('}'); // EMPTY_DICT
        b.write('('); // MARK
        string(b, "training");
        b.write('q'); // BINPUT 1
        b.write(1);
        b.write(0x88); // NEWTRUE
        string(b, "_is_full_backward_hook");
        b.write('q'); // BINPUT 2
        b.write(2);
        b.write('N'); // NONE
        b.write('u'); // SETITEMS
        b.write('b'); // BUILD
        b.write('q'); // BINPUT 3
        b.write(3);
        b.write('.'); // STOP
        return b.toByteArray();
    }

    /** BINUNICODE: a little-endian four-byte length, then UTF-8. */
    private static void string(ByteArrayOutputStream b, String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        b.write('X');
        b.write(utf8.length);
        b.write(utf8.length >>> 8);
        b.write(utf8.length >>> 16);
        b.write(utf8.length >>> 24);
        b.writeBytes(utf8);
    }
}
